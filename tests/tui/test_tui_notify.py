"""The desktop notification: a notifier on PATH is called; none, or a broken one, is quiet."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from elab.tui.notify import desktop_notify, notifier_command


def fake_notifier(folder: Path, body: str) -> Path:
    out = folder / "called.txt"
    script = folder / "notify-send"
    script.write_text(f"#!/bin/sh\n{body.format(out=out)}\n")
    script.chmod(0o755)
    return out


def test_notify_send_is_called_with_the_message(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    out = fake_notifier(tmp_path, 'printf "%s|" "$@" > {out}')
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("ELAB_NO_DESKTOP_NOTIFY", raising=False)
    thread = desktop_notify("elab: timer done", "incubate [bold]")
    assert thread is not None
    thread.join(5)
    assert out.read_text().endswith("elab: timer done|incubate [bold]|")


@pytest.mark.parametrize("platform", ["linux", "darwin", "win32"])
def test_no_notifier_means_no_command(tmp_path: Path, platform: str) -> None:
    assert notifier_command("t", "b", platform=platform, path=str(tmp_path)) is None


def test_no_notifier_means_no_thread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr("sys.platform", "darwin")  # osascript is not on this PATH either
    assert desktop_notify("t", "b", enabled=True) is None


def test_macos_uses_osascript_where_there_is_no_notify_send(tmp_path: Path) -> None:
    script = tmp_path / "osascript"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    command = notifier_command('say "hi"', "b", platform="darwin", path=str(tmp_path))
    assert command is not None
    assert command[0] == str(script)
    assert command[-1] == 'display notification "b" with title "say \\"hi\\""'
    assert notifier_command("t", "b", platform="linux", path=str(tmp_path)) is None


def test_a_failing_notifier_does_not_raise(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_notifier(tmp_path, "exit 3")
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("ELAB_NO_DESKTOP_NOTIFY", raising=False)
    thread = desktop_notify("t", "b")
    assert thread is not None
    thread.join(5)
    assert not thread.is_alive()


def test_switched_off_by_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_notifier(tmp_path, "true")
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("ELAB_NO_DESKTOP_NOTIFY", "1")
    assert desktop_notify("t", "b") is None


def test_switched_off_by_the_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = fake_notifier(tmp_path, "touch {out}")
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("ELAB_NO_DESKTOP_NOTIFY", raising=False)
    assert desktop_notify("t", "b", enabled=False) is None
    assert not out.exists()
