"""``elab runs verify`` and ``elab runs anchor``: checking the logs, and witnesses outside them.

Kept apart from the bench commands in :mod:`elab.cli.runs`, which registers these on the
same ``runs`` group.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from elab.cli.options import settings
from elab.cli.run_common import JsonOpt, service_for

__all__ = ["add_to"]

TSA_CA_ENV = "ELAB_TSA_CA"


def add_to(runs_app: typer.Typer) -> None:
    """Register the integrity commands on the ``runs`` group."""
    runs_app.command("verify")(_verify)
    runs_app.command("anchor")(_anchor)


def _verify(
    run: Annotated[str | None, typer.Argument(help="Run id; all runs if none.")] = None,
    anchors: Annotated[
        Path | None,
        typer.Option("--anchors", help="Check the runs against heads exported by `runs anchor`."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Check chains, recorded heads, attachments and signatures; exit 1 naming every problem."""
    from elab.files import read_bytes

    data = read_bytes(anchors, 64 * 1024 * 1024, what="anchor file") if anchors else None
    with service_for() as service:
        findings = service.verify(run)
        if anchors is not None and data is not None:
            lines = data.decode("utf-8", "replace").splitlines()
            findings += service.check_anchors(lines, str(anchors), run)
            findings += _timestamp_findings(anchors, data)
        checked = [run] if run else service.run_ids()
    if as_json:
        print(json.dumps({"runs": len(checked), "ok": not findings,
                          "problems": [f.to_json() for f in findings]}, ensure_ascii=False))
    if findings:
        for finding in findings:
            print(f"elab: {finding}", file=sys.stderr)
        raise typer.Exit(1)
    if not as_json:
        print(f"{len(checked)} run{'s' if len(checked) != 1 else ''}: chain intact, heads, "
              "attachments and signatures verified")


def _anchor(
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the lines to FILE.")
    ] = None,
) -> None:
    """Every run's head as JSON lines, for a witness outside the database (a lab notebook,
    an email, a git repository); `runs verify --anchors FILE` checks the runs against it."""
    with service_for() as service:
        lines = service.anchors()
    text = "".join(f"{line}\n" for line in lines)
    if output is None:
        sys.stdout.write(text)
        return
    from elab.cli.output import write_atomically

    tsa = settings().tsa_url
    reply = None
    if tsa:
        from elab.services.timestamps import request_timestamp

        reply = request_timestamp(text.encode("utf-8"), tsa)
    write_atomically(output, text.encode("utf-8"))
    print(f"{len(lines)} run head{'s' if len(lines) != 1 else ''} written to {output}",
          file=sys.stderr)
    if reply is not None:
        write_atomically(_reply_path(output), reply)
        print(f"timestamped by {tsa}: {_reply_path(output)}", file=sys.stderr)


def _reply_path(anchors: Path) -> Path:
    return anchors.with_name(anchors.name + ".tsr")


def _timestamp_findings(anchors: Path, data: bytes) -> list[Any]:
    """The anchor file's RFC 3161 timestamp (FILE.tsr beside it), checked when there is one."""
    from elab.files import read_bytes
    from elab.services.integrity import Finding

    reply_path = _reply_path(anchors)
    if not reply_path.exists():
        return []
    ca = settings().tsa_ca
    if not ca:
        print(f"elab: note: {reply_path} not checked: set {TSA_CA_ENV} to the authority's CA "
              "certificate", file=sys.stderr)
        return []
    from elab.services.timestamps import check_timestamp

    check = check_timestamp(data, read_bytes(reply_path, 1 << 20, what="timestamp"), ca)
    if not check.ok:
        return [Finding("*", "anchor", f"the timestamp {reply_path} does not hold for "
                        f"{anchors}: {check.problem}")]
    print(f"anchors timestamped {check.time} (verified with {ca})", file=sys.stderr)
    return []
