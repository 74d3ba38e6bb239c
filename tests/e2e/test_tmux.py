"""The real `elab` in tmux at 80×24, the smallest terminal a bench laptop opens: start the
MTT run, do two steps, start a timer, kill the terminal, reopen with --resume, and read the
screen; and a whole pass from the home search through the start form, an undo and a finish
to the record."""

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


def new_session(session: str, command: str) -> None:
    """An 80×24 tmux session running ``command``.  Tried again after a moment: the tmux
    server of the previous session may still be shutting down."""
    for _ in range(5):
        started = subprocess.run(
            ["tmux", "new-session", "-d", "-s", session, "-x", "80", "-y", "24", command],
            capture_output=True, text=True,
        )
        if started.returncode == 0:
            return
        time.sleep(0.5)
    raise AssertionError(f"tmux could not start: {started.stderr}")


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
    command = f"env ELAB_DATABASE_URL={url} {ELAB} run mtt-viability --yes"
    new_session(session, command)
    try:
        wait_for(session, r"\[>\]\s+seed")
        tmux("send-keys", "-t", session, "d")
        wait_for(session, r"\[>\]\s+attach")
        tmux("send-keys", "-t", session, "d")  # overnight, its timer never ran: asks first
        wait_for(session, r"Mark attach done early\?")
        tmux("send-keys", "-t", session, "y")
        wait_for(session, r"\[>\]\s+treat")
        tmux("send-keys", "-t", session, "t")
        wait_for(session, r"treat\s+\S+ 30 min left|treat\s+\S+ 29 min left")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False)
    listed = subprocess.run(
        [ELAB, "runs", "list", "--json"], capture_output=True, text=True, env=env, check=True
    )
    run = json.loads(listed.stdout)[-1]["run"]
    new_session(session, f"env ELAB_DATABASE_URL={url} {ELAB} run --resume {run}")
    try:
        text = wait_for(session, r"\[>\]\s+treat")
        assert re.search(r"\[x\]\s+seed\s+done", text)
        assert re.search(r"\[x\]\s+attach\s+done", text)
        wait_for(session, r"treat\s+\S+ (30|29) min left")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False)


def test_home_run_and_finish_at_80_by_24(tmp_path: Path) -> None:
    """Every screen keeps what the bench needs on 80×24: the state, the current step, the
    keys; enter in the search opens the start form; ctrl+z undoes; the record goes to the
    records folder the finish screen names."""
    assert shutil.which("tmux"), "tmux is needed for the end-to-end test"
    url = f"sqlite:///{tmp_path / 'e2e.db'}"
    records = tmp_path / "records"
    session = f"elab-e2e-home-{os.getpid()}"
    command = (f"env ELAB_DATABASE_URL={url} ELAB_RECORDS_DIR={records} ELAB_OPERATOR=e2e "
               f"{ELAB}")
    new_session(session, command)
    try:
        wait_for(session, r"Protocol library")
        wait_for(session, r"\? Help.*q Quit")
        tmux("send-keys", "-t", session, "/")
        time.sleep(0.5)  # the search field takes focus
        tmux("send-keys", "-t", session, "-l", "mtt-via")
        wait_for(session, r"MTT viability assay\s*\n.*with IC50")  # the title wraps, whole
        tmux("send-keys", "-t", session, "Enter")
        wait_for(session, r"Start a run: MTT viability assay with IC50")
        tmux("send-keys", "-t", session, "C-s")
        wait_for(session, r"\[RUNNING\]\s+now: seed")
        wait_for(session, r"d Done .*esc Back\s+\? Help.*q Quit")  # the footer fits
        tmux("send-keys", "-t", session, "d")
        wait_for(session, r"\[x\]\s+seed\s+done\s+e2e")  # who did it
        tmux("send-keys", "-t", session, "C-z")
        wait_for(session, r"\[>\]\s+seed\s+current")
        tmux("send-keys", "-t", session, "f")
        wait_for(session, r"steps not done: seed, attach")
        tmux("send-keys", "-t", session, "i")
        wait_for(session, r"Why finish incomplete\?")
        time.sleep(0.5)  # the answer field takes focus once the prompt has painted
        tmux("send-keys", "-t", session, "-l", "demo only")
        tmux("send-keys", "-t", session, "Enter")
        wait_for(session, r"\[COMPLETED\]")
        wait_for(session, re.escape(str(records)))  # the folder, named whole
        tmux("send-keys", "-t", session, "m")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not list(records.glob("*.md")):
            time.sleep(0.3)
        [record] = list(records.glob("*.md"))
        assert "demo only" in record.read_text(encoding="utf-8")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False)


def test_elab_run_opens_the_start_form_and_starts_nothing_until_accepted(
    tmp_path: Path,
) -> None:
    assert shutil.which("tmux"), "tmux is needed for the end-to-end test"
    url = f"sqlite:///{tmp_path / 'e2e.db'}"
    env = {**os.environ, "ELAB_DATABASE_URL": url}
    session = f"elab-e2e-form-{os.getpid()}"
    command = f"env ELAB_DATABASE_URL={url} {ELAB} run mtt-viability --param 'mtt_time=3 h'"
    new_session(session, command)
    try:
        form = wait_for(session, r"Start a run: MTT viability assay with IC50")
        assert re.search(r"mtt_time .*\n.*3 h", form)  # the --param fills its field
        listed = subprocess.run([ELAB, "runs", "list", "--json"], capture_output=True,
                                text=True, env=env, check=True)
        assert json.loads(listed.stdout) == []
        tmux("send-keys", "-t", session, "C-s")
        wait_for(session, r"\[RUNNING\]\s+now: seed")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False)
    listed = subprocess.run([ELAB, "runs", "list", "--json"], capture_output=True, text=True,
                            env=env, check=True)
    [run] = json.loads(listed.stdout)
    status = subprocess.run([ELAB, "runs", "status", run["run"], "--json"], capture_output=True,
                            text=True, env=env, check=True)
    assert json.loads(status.stdout)["params"] == {"mtt_time": "3 h"}
