"""The real `elab` in tmux: start the MTT run, do two steps, start a timer, kill the
terminal, reopen with --resume, and read the screen."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ELAB = str(Path(sys.executable).with_name("elab"))


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=True).stdout


def screen(session: str) -> str:
    return tmux("capture-pane", "-p", "-t", session)


def wait_for(session: str, pattern: str, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = screen(session)
        if re.search(pattern, text):
            return text
        time.sleep(0.3)
    raise AssertionError(f"{pattern!r} never appeared:\n{text}")


def test_a_killed_terminal_resumes_with_the_timer_still_right(tmp_path: Path) -> None:
    assert shutil.which("tmux"), "tmux is needed for the end-to-end test"
    url = f"sqlite:///{tmp_path / 'e2e.db'}"
    env = {**os.environ, "ELAB_DATABASE_URL": url, "ELAB_OPERATOR": "e2e", "TERM": "xterm-256color"}
    session = f"elab-e2e-{os.getpid()}"
    command = f"env ELAB_DATABASE_URL={url} {ELAB} run mtt-viability"
    tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "30", command)
    try:
        wait_for(session, r"\[>\]\s+seed")
        for key in ("d", "d"):
            tmux("send-keys", "-t", session, key)
            time.sleep(1.0)
        wait_for(session, r"\[>\]\s+treat")
        tmux("send-keys", "-t", session, "t")
        wait_for(session, r"treat\s+\S+ 30 min left|treat\s+\S+ 29 min left")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False)
    listed = subprocess.run(
        [ELAB, "runs", "list", "--json"], capture_output=True, text=True, env=env, check=True
    )
    run = json.loads(listed.stdout)[-1]["run"]
    tmux(
        "new-session",
        "-d",
        "-s",
        session,
        "-x",
        "100",
        "-y",
        "30",
        f"env ELAB_DATABASE_URL={url} {ELAB} run --resume {run}",
    )
    try:
        text = wait_for(session, r"\[>\]\s+treat")
        assert re.search(r"\[x\]\s+seed\s+done", text)
        assert re.search(r"\[x\]\s+attach\s+done", text)
        wait_for(session, r"treat\s+\S+ (30|29) min left")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False)
