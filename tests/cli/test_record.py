"""``elab signer``, ``elab record`` and ``elab runs sign`` from the shell."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from cli_calls import run

from elab.cli.main import main

PASSWORD = "correct horse battery"


SEEDING = Path(__file__).resolve().parents[1] / "unit" / "records" / "data" / "seeding-assay.yaml"


@pytest.fixture(autouse=True)
def signer_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "signers"
    monkeypatch.setenv("ELAB_SIGNER_DIR", str(path))
    monkeypatch.setenv("ELAB_SIGN_PASSWORD", PASSWORD)
    monkeypatch.setenv("ELAB_DATABASE_URL", f"sqlite:///{tmp_path / 'elab.db'}")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("ELAB_OPERATOR", "ana")
    monkeypatch.setenv("ELAB_TIMEZONE", "UTC")
    return path


@pytest.fixture(scope="module")
def _made_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """One finished run made through the CLI, once; each test gets its own copy."""
    home = tmp_path_factory.mktemp("made")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ELAB_DATABASE_URL", f"sqlite:///{home / 'elab.db'}")
        mp.setenv("ELAB_SIGNER_DIR", str(home / "signers"))
        mp.setenv("ELAB_SIGN_PASSWORD", PASSWORD)
        mp.setenv("ELAB_OPERATOR", "ana")
        rid = _cli(["runs", "start", str(SEEDING), "--param", "cells_per_well=5e4 cells"])
        for args in (
            ["runs", "done", rid, "seed", "--value", "viability=72 %", "--value",
             "count=5e4 cells", "--note", "<script>alert(1)</script>"],
            ["runs", "done", rid, "attach"],
            ["runs", "skip", rid, "stain", "--note", "no antibody"],
            ["runs", "lot", rid, "fbs", "F-42", "--expiry", "2027-01-31"],
            ["runs", "done", rid, "read", "--value", "od=0.8"],
            ["runs", "finish", rid],
            ["signer", "add", "ana", "--printed-name", "Ana Lima"],
        ):
            _cli(args)
    return rid, home


def _cli(args: list[str]) -> str:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as info:
        main(args)
    assert info.value.code in (0, None), args
    return out.getvalue().strip()


@pytest.fixture
def finished_run(_made_run: tuple[str, Path], tmp_path: Path) -> str:
    import shutil

    rid, home = _made_run
    for name in ("elab.db", "elab.db-wal", "elab.db-shm"):
        if (home / name).exists():
            shutil.copy(home / name, tmp_path / name)
    shutil.copytree(home / "signers", tmp_path / "signers", dirs_exist_ok=True)
    return rid


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


def test_sign_verify_and_record_in_every_format(capsys: pytest.CaptureFixture[str],
                                                finished_run: str, tmp_path: Path) -> None:
    rid = finished_run
    code, out, err = run(["runs", "sign", rid, "--meaning", "performed", "--signer", "ana",
                          "--json"], capsys)
    assert code == 0, err
    signed = json.loads(out)
    assert signed["run"] == rid and signed["printed_name"] == "Ana Lima"
    assert run(["runs", "verify", rid], capsys)[0] == 0
    for fmt in ("html", "md", "pdf"):
        target = tmp_path / f"record.{fmt}"
        code, out, err = run(["record", rid, "-o", str(target), "--json"], capsys)
        assert code == 0, err
        info = json.loads(out)
        assert info["format"] == fmt and info["chain_ok"] and info["signatures"] == 1
    html = (tmp_path / "record.html").read_text()
    assert "F-42" in html and "Ana Lima" in html and "&lt;script&gt;" in html
    assert "out of range" in html and "viability 72% is outside 90–100%" in html
    md = (tmp_path / "record.md").read_text()
    assert "F-42" in md and "\\<script\\>" in md
    assert (tmp_path / "record.pdf").read_bytes().startswith(b"%PDF")
    code, out, _ = run(["record", rid, "--format", "md"], capsys)
    assert code == 0 and out.startswith("# Run record: Seeding assay")


def test_wrong_password_does_not_sign(capsys: pytest.CaptureFixture[str], finished_run: str,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ELAB_SIGN_PASSWORD", "not the password")
    code, _, err = run(["runs", "sign", finished_run, "--meaning", "approved",
                        "--signer", "ana"], capsys)
    assert code == 1 and err == "elab: wrong password for signer 'ana'\n"
    code, _, err = run(["runs", "sign", finished_run, "--meaning", "witnessed",
                        "--signer", "ana"], capsys)
    assert code == 1 and "unknown signature meaning 'witnessed'" in err


def test_an_unknown_signer_is_told_how_to_become_one(capsys: pytest.CaptureFixture[str],
                                                     finished_run: str) -> None:
    # A new user following the README got "unknown signer 'newuser'" and nothing more.
    code, _, err = run(["runs", "sign", finished_run, "--meaning", "performed",
                        "--signer", "newuser"], capsys)
    assert code == 1
    assert err == "elab: unknown signer 'newuser'; add one with: elab signer add newuser\n"


def test_status_text_shows_lots_and_signatures_not_only_the_json(
        capsys: pytest.CaptureFixture[str], finished_run: str) -> None:
    # A new user found the lots, files, analyses and signatures only in `--json`.
    assert run(["runs", "sign", finished_run, "--meaning", "performed", "--signer", "ana"],
               capsys)[0] == 0
    code, out, _ = run(["runs", "status", finished_run], capsys)
    assert code == 0
    assert "  lot fbs: F-42, expires 2027-01-31" in out.splitlines()
    assert re.search(r"^  signed performed by ana at \S+ over events 1-\d+ ", out, re.M)
    code, out, _ = run(["runs", "status", finished_run, "--json"], capsys)
    (signature,) = json.loads(out)["signatures"]
    assert (signature["signer"], signature["meaning"]) == ("ana", "performed")


def test_tampered_database_is_caught_and_shown(capsys: pytest.CaptureFixture[str],
                                               finished_run: str, tmp_path: Path) -> None:
    import sqlite3

    rid = finished_run
    assert run(["runs", "sign", rid, "--meaning", "performed", "--signer", "ana"], capsys)[0] == 0
    with sqlite3.connect(tmp_path / "elab.db") as db:
        db.execute("UPDATE events SET payload = replace(payload, '72', '95') "
                   "WHERE run_id = ? AND type = 'value_recorded'", (rid,))
    code, _, err = run(["runs", "verify", rid], capsys)
    assert code == 1 and "does not match its hash" in err
    target = tmp_path / "tampered.html"
    code, _, err = run(["record", rid, "-o", str(target)], capsys)
    assert code == 0 and "does not verify" in err and err.count("\n") == 1
    html = target.read_text()
    assert 'id="chain-warning"' in html and "NOT VERIFIED" in html
    code, _, err = run(["runs", "sign", rid, "--meaning", "reviewed", "--signer", "ana"], capsys)
    assert code == 1 and "chain does not verify" in err and err.count("\n") == 1


def test_unknown_run_is_one_line(capsys: pytest.CaptureFixture[str], finished_run: str,
                                 tmp_path: Path) -> None:
    code, out, err = run(["record", "no-such-run", "-o", str(tmp_path / "x.html")], capsys)
    assert code == 1 and out == "" and err.startswith("elab: unknown run 'no-such-run'")
    assert err.count("\n") == 1 and not (tmp_path / "x.html").exists()


def test_lab_template_override_and_sandbox(capsys: pytest.CaptureFixture[str],
                                           finished_run: str, tmp_path: Path) -> None:
    lab = tmp_path / "config" / "elab" / "templates"
    lab.mkdir(parents=True)
    (lab / "letterhead.html.j2").write_text("<p>Smith lab letterhead</p>")
    code, out, _ = run(["record", finished_run], capsys)
    assert code == 0 and "Smith lab letterhead" in out
    (lab / "letterhead.html.j2").write_text("{{ ''.__class__.__mro__[1].__subclasses__() }}")
    code, out, err = run(["record", finished_run], capsys)
    assert code == 1 and "template refused" in err and err.count("\n") == 1


def test_lab_policy_defaults_refuse_review_in_progress_and_self_approval(
        capsys: pytest.CaptureFixture[str], finished_run: str, tmp_path: Path) -> None:
    code, out, err = run(["runs", "start", str(SEEDING)], capsys)
    assert code == 0, err
    running = out.strip().split()[-1]
    code, _, err = run(["runs", "sign", running, "--meaning", "reviewed", "--signer", "ana"],
                       capsys)
    assert code == 1 and err.count("\n") == 1
    assert "only once it is completed" in err
    code, _, err = run(["runs", "sign", finished_run, "--meaning", "approved", "--signer",
                        "ana"], capsys)
    assert code == 1 and err.count("\n") == 1
    assert "ana performed run" in err and "may not also approve" in err
    code, _, err = run(["runs", "sign", finished_run, "--meaning", "reviewed", "--signer",
                        "ana"], capsys)
    assert code == 0, err


def test_lab_policy_file_allows_self_approval_and_requires_lots(
        capsys: pytest.CaptureFixture[str], finished_run: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text('[signatures]\nperformer_may_approve = true\n\n[lots]\nrequired = ["*"]\n',
                      encoding="utf-8")
    monkeypatch.setenv("ELAB_POLICY", str(policy))
    code, _, err = run(["runs", "sign", finished_run, "--meaning", "approved", "--signer",
                        "ana"], capsys)
    assert code == 1 and err.count("\n") == 1 and "no lot recorded for trypsin" in err
    policy.write_text('[signatures]\nperformer_may_approve = true\n\n[lots]\n'
                      'required = ["fbs"]\n', encoding="utf-8")
    code, _, err = run(["runs", "sign", finished_run, "--meaning", "approved", "--signer",
                        "ana"], capsys)
    assert code == 0, err
    policy.write_text("[signatures]\nperformer_may_approve = 'yes'\n", encoding="utf-8")
    code, _, err = run(["runs", "sign", finished_run, "--meaning", "approved"], capsys)
    assert code == 1 and err.count("\n") == 1 and "performer_may_approve" in err
    monkeypatch.setenv("ELAB_POLICY", str(tmp_path / "missing.toml"))
    code, _, err = run(["runs", "sign", finished_run, "--meaning", "approved"], capsys)
    assert code == 1 and "no such file" in err


def test_notes_and_corrections_after_completion_are_kept(
        capsys: pytest.CaptureFixture[str], finished_run: str, tmp_path: Path) -> None:
    assert run(["runs", "sign", finished_run, "--meaning", "performed", "--signer", "ana"],
               capsys)[0] == 0
    code, _, err = run(["runs", "note", finished_run, "reader file was late"], capsys)
    assert code == 0, err
    target = tmp_path / "r.md"
    assert run(["record", finished_run, "-o", str(target)], capsys)[0] == 0
    md = target.read_text()
    assert "## Changes after completion" in md and "reader file was late" in md
    assert "performed by Ana Lima (#" in md


def test_archival_pdf_carries_the_attachments(capsys: pytest.CaptureFixture[str],
                                              finished_run: str, tmp_path: Path) -> None:
    import io

    from pypdf import PdfReader

    data = tmp_path / "reader-export.csv"
    data.write_bytes(b"well,od\nA1,0.51\n")
    assert run(["runs", "attach", finished_run, "reader", str(data)], capsys)[0] == 0
    target = tmp_path / "archive.pdf"
    code, out, err = run(["record", finished_run, "-o", str(target), "--pdf-variant",
                          "pdf/a-3b", "--json"], capsys)
    assert code == 0, err
    info = json.loads(out)
    assert info["pdf_variant"] == "pdf/a-3b" and info["embedded"] == 1
    reader = PdfReader(io.BytesIO(target.read_bytes()))
    files = {name: blobs[0] for name, blobs in reader.attachments.items()}
    assert len(files) == 1
    assert any(name.endswith("reader-export.csv") for name in files)
    assert b"well,od\nA1,0.51\n" in files.values()
    xmp = reader.xmp_metadata
    assert xmp is not None
    meta = xmp.stream.get_data().decode("utf-8")
    assert re.search(r"pdfaid:part(>|=\")3", meta) and re.search(r"pdfaid:conformance(>|=\")B",
                                                                  meta)
    code, _, err = run(["record", finished_run, "-o", str(tmp_path / "x.pdf"),
                        "--pdf-variant", "pdf/z"], capsys)
    assert code == 1 and "unknown PDF variant 'pdf/z'" in err and err.count("\n") == 1


def test_record_shows_local_time_from_elab_timezone(capsys: pytest.CaptureFixture[str],
                                                    finished_run: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ELAB_TIMEZONE", "America/New_York")
    code, out, err = run(["record", finished_run, "--format", "md"], capsys)
    assert code == 0, err
    assert re.search(r"\d\d:\d\d:\d\d UTC \(\d\d:\d\d:\d\d EST\)", out)


def test_record_plans_on_the_calendar_given(capsys: pytest.CaptureFixture[str],
                                            finished_run: str, tmp_path: Path) -> None:
    week = tmp_path / "week.yaml"
    week.write_text("timezone: UTC\nhours: {mon: 07:00-19:00, tue: 07:00-19:00}\n")
    code, out, err = run(["record", finished_run, "--format", "md", "--calendar", str(week)],
                         capsys)
    assert code == 0 and err == ""
    assert "working hours Mon-Tue 07:00-19:00, UTC" in out
    bad = tmp_path / "bad.yaml"
    bad.write_text("hours: {mon: 25:00-26:00}\n")
    code, out, err = run(["record", finished_run, "--format", "md", "--calendar", str(bad)],
                         capsys)
    assert code == 0 and out.count("planned times without working hours: ") == 1
    assert err.startswith("elab: warning: planned times without working hours: ")
    assert err.count("\n") == 1


def test_record_plans_on_the_lab_calendar_setting(capsys: pytest.CaptureFixture[str],
                                                  finished_run: str, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    lab = tmp_path / "lab.yaml"
    lab.write_text("timezone: UTC\nhours: {wed: 08:00-12:00}\n")
    monkeypatch.setenv("ELAB_CALENDAR", str(lab))
    code, out, err = run(["record", finished_run, "--format", "md"], capsys)
    assert code == 0 and err == "" and "working hours Wed 08:00-12:00, UTC" in out
