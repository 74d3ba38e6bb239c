"""``elab record RUN``, ``elab signer add|list`` and ``elab runs sign RUN --meaning M``.

A record goes to stdout (HTML, Markdown) or to ``-o FILE``; a PDF needs ``-o`` unless
stdout is a pipe.  The format follows ``--format`` or else the output file's suffix, else
HTML.  Passwords come from a hidden prompt or, for scripts and tests, from
``ELAB_SIGN_PASSWORD``; they are never echoed, logged or stored.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from elab.cli.options import settings

__all__ = ["register"]

FORMATS = ("html", "md", "pdf")
PASSWORD_ENV = "ELAB_SIGN_PASSWORD"

signer_app = typer.Typer(help="Signers: people who sign run records.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def _now() -> Any:
    """The CLI's clock: the system's, in UTC."""
    from elab.domain.runs.clock import SystemClock

    return SystemClock().now()


def _password(prompt: str, *, confirm: bool = False) -> str:
    """The signing password: ``ELAB_SIGN_PASSWORD`` or a hidden prompt."""
    value = settings().sign_password
    if value is not None:
        return value
    if not sys.stdin.isatty():
        from elab.errors import InputError

        raise InputError(f"a signing password is needed: type it at a terminal or set "
                         f"{PASSWORD_ENV}")
    return str(typer.prompt(prompt, hide_input=True, confirmation_prompt=confirm))


@signer_app.command("add")
def signer_add(
    name: Annotated[str, typer.Argument(help="Short signer name (login), e.g. ana.")],
    printed_name: Annotated[
        str, typer.Option("--printed-name", help="Full name as printed on records.")
    ] = "",
    as_json: JsonOpt = False,
) -> None:
    """Create a signer: a password (kept only as an argon2 hash) and an Ed25519 key.

    The public key is registered in the run database; a name registered there once is
    never given another key.
    """
    from elab.services.runs import RunService
    from elab.services.signing import add_signer, default_signer_store

    store = default_signer_store()
    password = _password(f"Signing password for {name}", confirm=True)
    service = RunService.open()
    try:
        record = add_signer(name, password, printed_name=printed_name, now=_now(), store=store,
                            registry=service.keys)
    finally:
        service.close()
    if as_json:
        print(json.dumps({"signer": record.name, "printed_name": record.printed_name,
                          "key_sha256": record.key_sha256,
                          "file": str(store.directory / f"{record.name}.json")}))
    else:
        print(f"signer {record.name} ({record.printed_name}) added; "
              f"key {record.key_sha256[:16]}")


@signer_app.command("list")
def signer_list(as_json: JsonOpt = False) -> None:
    """The signers known on this machine."""
    from elab.services.signing import default_signer_store

    store = default_signer_store()
    rows = [store.get(n) for n in store.names()]
    if as_json:
        print(json.dumps([{"signer": r.name, "printed_name": r.printed_name,
                           "key_sha256": r.key_sha256, "created_at": r.created_at}
                          for r in rows]))
        return
    for r in rows:
        print(f"{r.name}\t{r.printed_name}\t{r.key_sha256[:16]}")


def _format_for(fmt: str | None, output: Path | None) -> str:
    from elab.errors import NotFoundError

    if fmt is None:
        suffix = output.suffix.lower().lstrip(".") if output is not None else ""
        fmt = {"htm": "html", "markdown": "md"}.get(suffix, suffix) or "html"
        if fmt not in FORMATS:
            fmt = "html"
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise NotFoundError("record format", fmt, FORMATS)
    return fmt


def record_command(
    run: Annotated[str, typer.Argument(help="Run id.")],
    fmt: Annotated[
        str | None, typer.Option("--format", "-f", help="html, md or pdf.")
    ] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to FILE.")] = None,
    paper: Annotated[str, typer.Option("--paper", help="A4 or letter (PDF).")] = "A4",
    templates: Annotated[
        Path | None,
        typer.Option("--templates", help="Lab template directory (default: the user config "
                     "dir's templates/, if it exists)."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print what was written as JSON.")
    ] = False,
    pdf_variant: Annotated[
        str | None,
        typer.Option("--pdf-variant", help="pdf/a-3b: an archival PDF with the run's "
                     "attachments embedded."),
    ] = None,
    calendar: Annotated[
        Path | None,
        typer.Option("--calendar", help="Lab calendar YAML the planned times are laid on "
                     "(default: $ELAB_CALENDAR, else Mon-Fri 09:00-17:00, as the home screen's "
                 "agenda)."),
    ] = None,
) -> None:
    """Render the record of a run as HTML, Markdown or PDF."""
    from elab.errors import InputError, NotFoundError
    from elab.services.records import PDF_VARIANTS

    kind = _format_for(fmt, output)
    if pdf_variant is not None:
        pdf_variant = pdf_variant.lower()
        if pdf_variant not in PDF_VARIANTS:
            raise NotFoundError("PDF variant", pdf_variant, PDF_VARIANTS)
        if kind != "pdf":
            raise InputError(f"--pdf-variant makes a PDF, but the format is {kind}")
    paper_name = {"a4": "A4", "letter": "letter"}.get(paper.lower())
    if paper_name is None:
        raise NotFoundError("paper size", paper, ("A4", "letter"))
    if output is None and kind == "pdf" and sys.stdout.isatty():
        raise InputError("a PDF record needs -o FILE (stdout is a terminal)")
    if output is not None:
        _check_writable(output)
    from elab.services.record_plan import WITHOUT_HOURS
    from elab.services.records import render_record

    data, record = render_record(run, kind, paper=paper_name, lab_templates=templates,
                                 pdf_variant=pdf_variant,
                                 timezone=settings().timezone,
                                 calendar=calendar or settings().calendar)
    if record.planned_note.startswith(WITHOUT_HOURS):
        # The record says so too; whoever asked for it hears why its plan has no hours.
        print(f"elab: warning: {record.planned_note}", file=sys.stderr)
    if output is None:
        if kind == "pdf":
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        else:
            sys.stdout.write(data.decode("utf-8"))
        return
    output.write_bytes(data)
    if as_json:
        print(json.dumps({"run": record.run_id, "format": kind, "file": str(output),
                          "bytes": len(data), "chain_ok": record.chain.ok,
                          "signatures": len(record.signatures), "pdf_variant": pdf_variant,
                          "embedded": len(record.attachments) if pdf_variant else 0}))
    if not record.chain.ok:
        # On stderr even with --json: whoever files this record must hear it does not verify.
        print(f"elab: warning: run {record.run_id} does not verify; the record says so: "
              f"{record.chain.problem}", file=sys.stderr)


def _check_writable(path: Path) -> None:
    """Fail before rendering when the output cannot be written (one clear line)."""
    from elab.errors import StorageError

    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise StorageError(f"{path}: is a directory")
    if not parent.is_dir():
        raise StorageError(f"{path}: directory {parent} does not exist")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise StorageError(f"{path}: permission denied")


def sign_command(
    run: Annotated[str, typer.Argument(help="Run id.")],
    meaning: Annotated[
        str, typer.Option("--meaning", help="performed, reviewed or approved.")
    ],
    signer: Annotated[
        str | None,
        typer.Option("--signer", help="Signer name (default: $ELAB_SIGNER or the login name)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Sign the run's current head: re-authenticates the signer, adds an Ed25519 signature.

    The lab policy (``$ELAB_POLICY`` or ``policy.toml`` in the user config dir) decides which
    meanings need a completed run, whether the performer may approve, which lots are needed.
    """
    import getpass

    from elab.services.policy import load_policy
    from elab.services.records import sign_run

    # A broken policy file is one line, before any password prompt.
    policy = load_policy(settings().policy)
    who = signer or settings().signer or getpass.getuser()
    password = _password(f"Password for signer {who}")
    signature = sign_run(run, meaning=meaning, signer=who, password=password, policy=policy)
    if as_json:
        print(json.dumps({"run": run, **signature.to_payload()}))
    else:
        print(f"signed {run} as {signature.meaning} by {signature.printed_name} "
              f"at {signature.at}, covering event {signature.head_seq} "
              f"({signature.head_hash[:16]})")


def register(app: typer.Typer) -> None:
    """Add ``record``, ``signer`` and (unless the runs CLI has it) ``runs sign``."""
    app.command("record")(record_command)
    app.add_typer(signer_app, name="signer")
    runs_app = _runs_app()
    if runs_app is not None and "sign" not in {c.name for c in runs_app.registered_commands}:
        runs_app.command("sign")(sign_command)


def _runs_app() -> typer.Typer | None:
    """The ``runs`` group of the runs CLI, whichever order the modules register in."""
    import importlib

    try:
        module = importlib.import_module("elab.cli.runs")
    except ImportError:
        return None
    group = getattr(module, "runs_app", None)
    return group if isinstance(group, typer.Typer) else None
