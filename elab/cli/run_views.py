"""``elab runs status`` and ``elab runs list``: where one run stands, and which runs there are.

Kept apart from the bench commands in :mod:`elab.cli.runs`, which registers these on the
same ``runs`` group.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

import typer

from elab.cli.run_common import JsonOpt, RunArg, service_for
from elab.safe_text import one_line

__all__ = ["add_to"]


def add_to(runs_app: typer.Typer) -> None:
    """Register the viewing commands on the ``runs`` group."""
    runs_app.command("status")(_status)
    runs_app.command("list")(_list_runs)


def _say(line: str) -> None:
    """Print one status line; a newline in a note or a reason is shown as ``\\n`` so user
    text cannot forge a line (a signature, a step) of its own."""
    print(one_line(line))


def _status(run: RunArg, as_json: JsonOpt = False) -> None:
    """Where a run stands: steps, timers, deviations."""
    from elab.services.runs import status_json
    from elab.units import format_duration

    with service_for() as service:
        data = status_json(service.state(run), service.clock.now())
    if as_json:
        print(json.dumps(data, ensure_ascii=False))
        return
    _say(f"{data['run']}  {data['title']} ({data['protocol']})  {data['state']}")
    marks = {"done": "[x]", "current": "[>]", "ready": "[ ]", "waiting": "[.]", "skipped": "[-]"}
    for step in data["steps"]:
        by = f" ({step['by']})" if step.get("by") else ""
        _say(f"  {marks[step['state']]} {step['id']:<24} {step['state']:<8} {step['title']}{by}")
    for r in data["readings"]:
        _say(f"  value {r['step']} {r['name']}: {r['text']}{_events(data, r)}")
    for d in data["derived"]:
        used = "; ".join(u["text"] for u in d.get("parameters") or [])
        _say(f"  derived {d['step']}.{d['name']}" + (f" (with {used})" if used else "")
                   + f": {d['text']}")
    for line in data["sample_lines"]:
        _say(f"  {line['step']} {line['text']}")
    for r in data["retractions"]:
        _say(f"  retracted by {r['operator']}: {r['what']}")
    for u in data["unreadable"]:
        _say(f"  unreadable event #{u['seq']} ({u['problem']}): left out; see `elab runs verify`")
    for t in data["timers"]:
        if t["running"]:
            left = t["remaining_s"]
            shown = (
                f"{format_duration(left)} left"
                if left >= 0
                else f"overdue {format_duration(-left)}"
            )
            _say(f"  timer {t['step']}: {shown}")
    for d in data["deviations"]:
        where = f" at {d['step']}" if d["step"] else ""
        _say(f"  deviation ({d['kind']}){where}: {d['note']}")
    _results(data)


def _results(data: dict[str, Any]) -> None:
    """What a finished run holds besides its steps: lots, files, analyses, signatures."""
    for lot in data["lots"]:
        expiry = f", expires {lot['expiry']}" if lot.get("expiry") else ""
        _say(f"  lot {lot['material']}: {lot['lot']}{expiry}")
    for a in data["attachments"]:
        _say(f"  attachment {a['name']}: {a['filename']} ({a['size']} bytes, "
             f"sha256 {a['sha256'][:12]}…)")
    for a in data["analyses"]:
        said = f"not run: {a['error']}" if a["error"] else "; ".join(a["headline"]) or "done"
        _say(f"  analysis {a['hook']}: {said}")
    for g in data["signatures"]:
        at = re.sub(r"\.\d+", "", str(g["at"]))  # to the second
        _say(f"  signed {g['meaning']} by {g['signer']} at {at} over events 1-"
             f"{g['head_seq']} (checked by `elab runs verify`)")


def _events(data: dict[str, Any], reading: dict[str, Any]) -> str:
    """``  [#5]``, ``  [#5–#7]``: the events that hold a value's readings as they stand, so
    a correction (`runs correct RUN SEQ`) can name the one it replaces."""
    seqs = [v["seq"] for v in data["values"] if v["step"] == reading["step"]
            and v["name"] == reading["name"] and v["corrected_by"] is None]
    if not seqs:
        return ""
    if len(seqs) > 2 and seqs == list(range(seqs[0], seqs[0] + len(seqs))):
        return f"  [#{seqs[0]}–#{seqs[-1]}]"
    return "  [" + ", ".join(f"#{s}" for s in seqs) + "]"


def _list_runs(
    active: Annotated[bool, typer.Option("--active", help="Only runs under way.")] = False,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="At most N runs (active first).")
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Runs started on or after DATE (YYYY-MM-DD).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Runs in the database: those under way first, then the newest.

    A run that cannot be read is listed as damaged with the reason; it never hides the others.
    """
    from elab.domain.runs.clock import iso

    start = _since(since) if since else None
    with service_for() as service:
        summaries = service.summaries(active=active, limit=limit, since=start)
    rows: list[dict[str, Any]] = []
    for s in summaries:
        row: dict[str, Any] = {
            "run": s.run_id, "protocol": s.protocol_id, "title": s.title, "state": s.state,
            "started_at": iso(s.started_at) if s.started_at else None,
            "operators": list(s.operators), "current_step": s.current_step,
        }
        if s.problem:
            row["problem"] = s.problem
        rows.append(row)
    if as_json:
        print(json.dumps(rows, ensure_ascii=False))
        return
    for r in rows:
        if r["state"] == "damaged":
            _say(f"{r['run']}  damaged   {r.get('problem', '')}")
            continue
        print(f"{r['run']}  {r['state']:<9} {r['started_at'][:16]}  {r['protocol']}")


def _since(text: str) -> str:
    from datetime import date

    from elab.errors import InputError

    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise InputError(f"--since {text!r} is not a date like 2026-12-01") from None
