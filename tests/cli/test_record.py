"""``elab signer``, ``elab record`` and ``elab runs sign`` from the shell."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from elab.cli.main import main

PASSWORD = "correct horse battery"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(args)
    out, err = capsys.readouterr()
    code = info.value.code
    return (code if isinstance(code, int) else 0), out, err


@pytest.fixture(autouse=True)
def signer_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "signers"
    monkeypatch.setenv("ELAB_SIGNER_DIR", str(path))
    monkeypatch.setenv("ELAB_SIGN_PASSWORD", PASSWORD)
    return path


def test_signer_add_and_list(capsys: pytest.CaptureFixture[str], signer_dir: Path) -> None:
    code, out, err = run(["signer", "add", "ana", "--printed-name", "Ana Lima", "--json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert data["signer"] == "ana" and data["printed_name"] == "Ana Lima"
    assert PASSWORD not in (signer_dir / "ana.json").read_text()
    code, out, _ = run(["signer", "list", "--json"], capsys)
    assert code == 0 and [s["signer"] for s in json.loads(out)] == ["ana"]


def test_signer_add_twice_is_one_line_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["signer", "add", "ana"], capsys)[0] == 0
    code, _, err = run(["signer", "add", "ana"], capsys)
    assert code == 1 and err.count("\n") == 1 and "already exists" in err


def test_short_password_is_refused(capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ELAB_SIGN_PASSWORD", "short")
    code, _, err = run(["signer", "add", "ben"], capsys)
    assert code == 1 and "at least 8" in err and err.count("\n") == 1


def test_bad_format_and_paper_are_one_line(capsys: pytest.CaptureFixture[str],
                                           tmp_path: Path) -> None:
    code, _, err = run(["record", "r1", "--format", "docx"], capsys)
    assert code == 1 and "unknown record format 'docx'" in err and err.count("\n") == 1
    code, _, err = run(["record", "r1", "--paper", "A5"], capsys)
    assert code == 1 and "paper size" in err


def test_unwritable_output_is_one_line_before_rendering(capsys: pytest.CaptureFixture[str],
                                                        tmp_path: Path) -> None:
    code, _, err = run(["record", "r1", "-o", str(tmp_path / "missing" / "r.pdf")], capsys)
    assert code == 1 and "does not exist" in err and err.count("\n") == 1
    code, _, err = run(["record", "r1", "-o", str(tmp_path)], capsys)
    assert code == 1 and "is a directory" in err and err.count("\n") == 1
