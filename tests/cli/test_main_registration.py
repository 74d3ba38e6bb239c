"""Calling ``elab`` many times in one process (tests, scripts) registers its commands once."""

from __future__ import annotations

import pytest
from cli_calls import run

from elab.cli.main import app


def test_commands_are_registered_once_however_often_elab_runs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    run(["--help"], capsys)
    groups, commands = len(app.registered_groups), len(app.registered_commands)
    for _ in range(3):
        assert run(["runs", "--help"], capsys)[0] == 0
    assert (len(app.registered_groups), len(app.registered_commands)) == (groups, commands)
    names = [g.name for g in app.registered_groups]
    assert len(names) == len(set(names))
