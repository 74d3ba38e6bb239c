"""The SQLite file: private when created, readable when it cannot be written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cli_calls import run

ASSAY = str(Path(__file__).resolve().parents[1] / "unit" / "runs" / "data" / "assay.yaml")


def test_a_new_database_is_readable_by_its_owner_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from elab.store import open_engine
    from elab.store.db import default_url

    engine = open_engine(f"sqlite:///{tmp_path / 'new.db'}")
    engine.dispose()
    assert (tmp_path / "new.db").stat().st_mode & 0o777 == 0o600
    monkeypatch.delenv("ELAB_DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    url = default_url()
    assert Path(url.removeprefix("sqlite:///")).parent.stat().st_mode & 0o777 == 0o700


@pytest.mark.parametrize("unwritable", ["file", "folder"])
def test_reading_commands_work_on_a_database_that_cannot_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    unwritable: str,
) -> None:
    db = tmp_path / "elab.db"
    monkeypatch.setenv("ELAB_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("ELAB_OPERATOR", "ana")
    _, out, _ = run(["runs", "start", ASSAY], capsys)
    rid = out.strip()
    assert run(["runs", "done", rid, "seed"], capsys)[0] == 0
    # Tests run as root, whom chmod does not stop: say what a read-only mount would say.
    locked = str(db) if unwritable == "file" else str(tmp_path)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if (
        str(p) == locked and mode & os.W_OK) else real_access(p, mode, **kw))
    if unwritable == "folder":
        for extra in ("elab.db-wal", "elab.db-shm"):
            (tmp_path / extra).unlink(missing_ok=True)
    assert run(["runs", "verify"], capsys)[0] == 0
    code, out, _ = run(["runs", "status", rid], capsys)
    assert code == 0 and "done" in out
    (tmp_path / "out").mkdir()
    record = tmp_path / "out" / "r.md"
    assert run(["record", rid, "--format", "md", "-o", str(record)], capsys)[0] == 0
    code, _, err = run(["runs", "note", rid, "one more"], capsys)
    assert code == 1 and err.count("\n") == 1 and "nothing was saved" in err
