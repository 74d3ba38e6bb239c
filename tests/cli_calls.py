"""Calling ``elab`` in-process, as a shell would: its exit code, stdout and stderr."""

from __future__ import annotations

import pytest

from elab.cli.main import main


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(args)
    out, err = capsys.readouterr()
    code = info.value.code
    return (code if isinstance(code, int) else 0), out, err
