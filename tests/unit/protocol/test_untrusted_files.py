"""Protocol files from people elab does not trust: devices, FIFOs, escapes, YAML tricks."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_calls import run

from elab.domain.protocol import load_document
from elab.errors import ProtocolErrors

BASE = "id: {id}\ntitle: T\nversion: '1'\nsteps:\n  - {{id: s, title: S}}\n"


@pytest.fixture(autouse=True)
def never_hang() -> Iterator[None]:
    """A read that blocks (a FIFO) fails the test in 10 s instead of hanging the suite."""
    def stop(*_: object) -> None:
        raise TimeoutError("the read blocked")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(10)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def _errors(path: Path, library: list[Path] | None = None) -> str:
    with pytest.raises(ProtocolErrors) as info:
        load_document(path, library or [])
    return str(info.value)


def test_a_link_to_dev_zero_is_refused_without_reading_it(tmp_path: Path) -> None:
    link = tmp_path / "zero.yaml"
    link.symlink_to("/dev/zero")
    assert "not a regular file" in _errors(link)


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    assert "not a regular file" in _errors(fifo)


@pytest.mark.parametrize("target", ["/etc/passwd", "../outside", "sub/../../outside"])
def test_extends_and_include_cannot_name_a_file_outside(tmp_path: Path, target: str) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    (tmp_path / "outside.yaml").write_text(BASE.format(id="outside"), encoding="utf-8")
    for key in ("extends: {t}", "include: [{{protocol: {t}}}]"):
        path = lib / "p.yaml"
        path.write_text(BASE.format(id="p") + key.format(t=target) + "\n", encoding="utf-8")
        message = _errors(path, [lib])
        assert "p.yaml:6:" in message and "not an absolute path or one with '..'" in message
        assert "root:x:" not in message  # nothing of the foreign file is echoed


def test_a_link_out_of_the_library_is_refused(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    (tmp_path / "secret.yaml").write_text(BASE.format(id="secret"), encoding="utf-8")
    (lib / "parent.yaml").symlink_to(tmp_path / "secret.yaml")
    path = lib / "p.yaml"
    path.write_text(BASE.format(id="p") + "extends: parent\n", encoding="utf-8")
    assert "leads outside the protocol folders" in _errors(path, [lib])


def test_include_fan_out_is_bounded(tmp_path: Path) -> None:
    """Seven files each including the next ones eight times: refused, not minutes of work."""
    for index in range(7):
        includes = "".join(f"  - {{protocol: f{index + 1}, prefix: x{n}}}\n" for n in range(8))
        text = BASE.format(id=f"f{index}") + ("include:\n" + includes if index < 6 else "")
        (tmp_path / f"f{index}.yaml").write_text(text, encoding="utf-8")
    assert "read more than 32 files" in _errors(tmp_path / "f0.yaml", [tmp_path])


def test_merge_keys_are_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(BASE.format(id="p") + "base: {x: 1}\nother:\n  <<: {y: 2}\n",
                    encoding="utf-8")
    assert "p.yaml:8:3: YAML merge keys (<<:) are not allowed" in _errors(path)


@pytest.mark.parametrize("text", ["other:\n  <<: {y: 2}\n", "materials: !!omap\n  - a: 1\n"])
def test_yaml_tricks_fail_validation_in_one_line(
    tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(BASE.format(id="p") + text, encoding="utf-8")
    code, _out, err = run(["validate", str(path)], capsys)
    assert "Traceback" not in err and "Error" not in err
    assert code == 0 or (code == 1 and err.startswith(f"{path}:"))


def test_an_analysis_parameter_must_name_a_recorded_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(BASE.format(id="p").replace(
        "  - {id: s, title: S}", "  - {id: s, title: S, record: {blank_od: {unit: OD}}}")
        + "analysis:\n  - {hook: ic50, input: x, params: {blank: '@s.blank'}}\n",
        encoding="utf-8")
    code, _out, err = run(["validate", str(path)], capsys)
    assert code == 1
    assert "parameter blank refers to '@s.blank', which no step records" in err
    assert "did you mean '@s.blank_od'?" in err


def test_extends_cannot_reach_into_a_folder(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "creds.yaml").write_text("aws_secret: x\n", encoding="utf-8")
    path = tmp_path / "p.yaml"
    path.write_text(BASE.format(id="p") + "extends: sub/creds\n", encoding="utf-8")
    message = _errors(path)
    assert "or a folder" in message and "aws_secret" not in message


def test_system_files_are_not_read_as_protocols() -> None:
    assert "a system file" in _errors(Path("/proc/self/status"))
