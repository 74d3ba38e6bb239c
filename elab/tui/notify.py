"""A desktop notification when a timer ends, where the system has a notifier.

The bell and the on-screen alert always fire; this adds the notice a scientist sees when
the terminal is behind another window.  It never blocks the screen and never fails it: no
notifier, a notifier that errors or hangs, all end quietly.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading

from elab.settings import Settings

__all__ = ["desktop_notify", "notifier_command"]


def notifier_command(
    title: str, body: str, *, platform: str | None = None, path: str | None = None
) -> list[str] | None:
    """The command that shows a desktop notification, or None when there is none.

    ``platform`` (``sys.platform``) and ``path`` (the ``PATH`` searched) describe the
    system, so that every branch can be checked on any machine.
    """
    platform = sys.platform if platform is None else platform
    if (exe := shutil.which("notify-send", path=path)) is not None:
        return [exe, "--app-name=elab", "--urgency=critical", title, body]
    if platform == "darwin" and (exe := shutil.which("osascript", path=path)) is not None:
        quoted_body = body.replace("\\", "\\\\").replace('"', '\\"')
        quoted_title = title.replace("\\", "\\\\").replace('"', '\\"')
        script = f'display notification "{quoted_body}" with title "{quoted_title}"'
        return [exe, "-e", script]
    return None


def _run(command: list[str]) -> None:
    try:
        subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return


def desktop_notify(
    title: str, body: str, *, enabled: bool | None = None
) -> threading.Thread | None:
    """Show the notification in the background; the thread is returned for tests to join.

    ``enabled`` is the ``desktop_notify`` setting; left out, the process's settings decide.
    """
    if not (Settings.from_env().desktop_notify if enabled is None else enabled):
        return None
    command = notifier_command(title, body)
    if command is None:
        return None
    thread = threading.Thread(target=_run, args=(command,), daemon=True, name="elab-notify")
    thread.start()
    return thread
