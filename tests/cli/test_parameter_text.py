"""A parameter's value in the words people read: ``elab show`` and the run record.

The text is where the bench reads it ("Reverse-transcribe 1 ug of each RNA"): a
``--param`` that changes the number and not the sentence, or a literal ``$rna_input``, is
an instruction nobody can follow.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cli_calls import run

from elab.services.protocol_library import bundled_dir

LIBRARY = sorted(p.stem for p in bundled_dir().glob("*.yaml"))
NAME = re.compile(r"\$\{?[A-Za-z_]")


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ELAB_DATABASE_URL", f"sqlite:///{tmp_path / 'elab.db'}")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("ELAB_OPERATOR", "ana")
    monkeypatch.setenv("ELAB_TIMEZONE", "UTC")


@pytest.mark.parametrize("name", LIBRARY)
def test_no_bundled_protocol_shows_a_literal_parameter_name(
        name: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["show", name], capsys)
    assert code == 0, err
    assert not NAME.findall(out), [line for line in out.splitlines() if NAME.search(line)]


@pytest.mark.parametrize(("args", "before", "after"), [
    (["qrt-pcr-emt", "--variant", "sybr", "--param", "rna_input=0.5 ug"],
     "Reverse-transcribe 1 µg", "Reverse-transcribe 0.5 µg"),
    (["clinical-combination-regimen", "--param", "gemcitabine_dose=600 mg/m^2"],
     "Gemcitabine 800 mg/m²", "Gemcitabine 600 mg/m²"),
])
def test_a_param_changes_the_text_shown(args: list[str], before: str, after: str,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["show", args[0]], capsys)
    assert code == 0, err
    assert before in out
    code, out, err = run(["show", *args], capsys)
    assert code == 0, err
    assert after in out and before not in out


def test_the_record_carries_the_value_the_run_used(capsys: pytest.CaptureFixture[str],
                                                   tmp_path: Path) -> None:
    code, out, err = run(["runs", "start", "qrt-pcr-emt", "--variant", "sybr", "--param",
                          "rna_input=0.5 ug"], capsys)
    assert code == 0, err
    rid = out.split()[-1] if out.strip() else ""
    record = tmp_path / "r.md"
    code, _, err = run(["record", rid, "--format", "md", "--output", str(record)], capsys)
    assert code == 0, err
    # the appendix keeps the protocol document as written, $names and all
    body = record.read_text(encoding="utf-8").split("\n## ")
    shown = "\n".join(part for part in body if "protocol as run" not in part.splitlines()[0])
    assert not NAME.findall(shown)
    assert "Reverse-transcribe 0.5 µg of each RNA" in shown
    assert "no-RT reactions of 0.5 µg" in shown
