"""A desktop notification when a timer ends, where the system has a notifier.

The bell and the on-screen alert always fire; this adds the notice a scientist sees when
the terminal is behind another window.  It never blocks the screen and never fails it: no
notifier, a notifier that errors or hangs, all end quietly.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading

__all__ = ["desktop_notify", "notifier_command"]


def notifier_command(title: str, body: str) -> list[str] | None:
    """The command that shows a desktop notification here, or None when there is none."""
    if os.environ.get("ELAB_NO_DESKTOP_NOTIFY"):
        return None
    if (exe := shutil.which("notify-send")) is not None:
        return [exe, "--app-name=elab", "--urgency=critical", title, body]
    if sys.platform == "darwin" and (exe := shutil.which("osascript")) is not None:
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


def desktop_notify(title: str, body: str) -> threading.Thread | None:
    """Show the notification in the background; the thread is returned for tests to join."""
    command = notifier_command(title, body)
    if command is None:
        return None
    thread = threading.Thread(target=_run, args=(command,), daemon=True, name="elab-notify")
    thread.start()
    return thread
