"""``elab validate``, ``elab show`` and ``elab schema``: the protocol library from the shell."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from elab.cli.options import library, parse_params
from elab.errors import ProtocolError, ProtocolErrors

if TYPE_CHECKING:
    from elab.domain.protocol.science import Finding

__all__ = ["register"]


def _expand(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
        else:
            files.append(path)
    return files


def _installed_hooks() -> list[str]:
    from importlib.metadata import entry_points

    return sorted({ep.name for ep in entry_points(group="elab.analysis")})


def _as_json(errors: list[ProtocolError], findings: list[Finding], files: list[Path]) -> str:
    def row(severity: str, e: ProtocolError | Finding, check: str | None) -> dict[str, Any]:
        return {
            "file": e.location.file if e.location else None,
            "line": e.location.line if e.location else None,
            "col": e.location.col if e.location else None,
            "severity": severity,
            "check": check,
            "message": e.message,
        }

    bad = {str(e.location.file) for e in errors if e.location}
    bad |= {str(f.location.file) for f in findings if f.severity == "error"}
    out = {
        "files": len(files),
        "checked": [str(file) for file in files],
        "valid": len(files) - len(bad),
        "errors": [row("error", e, None) for e in errors]
        + [row("error", f, f.check) for f in findings if f.severity == "error"],
        "warnings": [row("warning", f, f.check) for f in findings if f.severity == "warning"],
    }
    return json.dumps(out, indent=2, ensure_ascii=False)


def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Protocol files or directories (default: the whole library)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="List the errors as JSON.")] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Science warnings fail the validation too.")
    ] = False,
) -> None:
    """Check protocol files (default: the whole library); errors and science warnings as
    FILE:LINE:COL: message.

    Exit 1 if any file is invalid, or with --strict if any science check warns.
    """
    from elab.domain.protocol import load_document, protocol_from_tree
    from elab.domain.protocol.science import science_findings

    protocols = library()
    hooks = _installed_hooks()
    errors: list[ProtocolError] = []
    findings: list[Finding] = []
    files = _expand(paths) if paths else protocols.files()
    for file in files:
        try:
            document = load_document(file, library=protocols.search_path(file))
            protocol = protocol_from_tree(document.tree, document.path)
        except ProtocolErrors as exc:
            errors += exc.errors
            continue
        for finding in science_findings(protocol, document.tree, document.path, hooks):
            if finding not in findings:  # a child reports its parent's lines again
                findings.append(finding)
    if as_json:
        print(_as_json(errors, findings, files))
    for error in errors:
        print(str(error), file=sys.stderr)
    for finding in findings:
        print(str(finding), file=sys.stderr)
    if not files:
        print("elab: no protocol files found", file=sys.stderr)
        raise typer.Exit(1)
    failed = errors or any(f.severity == "error" for f in findings)
    warned = [f for f in findings if f.severity == "warning"]
    if failed or (strict and warned):
        raise typer.Exit(1)
    if not as_json:
        tail = f" ({len(warned)} warning{'s' if len(warned) != 1 else ''})" if warned else ""
        print(f"{len(files)} protocol{'s' if len(files) != 1 else ''} valid{tail}")


def show(
    protocol: Annotated[str, typer.Argument(help="A protocol id or file.")],
    fmt: Annotated[str, typer.Option("--format", help="text, md or json.")] = "text",
    as_json: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
    variant: Annotated[str | None, typer.Option("--variant", help="A variant's steps.")] = None,
    param: Annotated[list[str], typer.Option("--param", help="name=VALUE override.")] = [],  # noqa: B006
) -> None:
    """A protocol's steps with times, hands-on and passive time, critical path and materials."""
    from elab.domain.protocol.describe import describe_json, describe_markdown, describe_text
    from elab.errors import NotFoundError

    if as_json:
        fmt = "json"
    if fmt not in ("text", "md", "json"):
        raise typer.BadParameter(f"{fmt!r} is not text, md or json", param_hint="--format")
    loaded = library().load(protocol, parse_params(param))
    if variant is not None and variant not in loaded.variants:
        raise NotFoundError("variant", variant, loaded.variants)
    if fmt == "json":
        print(json.dumps(describe_json(loaded, variant), indent=2, ensure_ascii=False))
    elif fmt == "md":
        print(describe_markdown(loaded, variant), end="")
    else:
        print(describe_text(loaded, variant))


def schema(
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to a file.")] = None,
    calendar: Annotated[
        bool, typer.Option("--calendar", help="The lab calendar's format instead.")
    ] = False,
    plate: Annotated[bool, typer.Option("--plate", help="The plate spec file's schema "
                                        "(`elab plate layout --spec`).")] = False,
) -> None:
    """The JSON Schema of the protocol format (for editors' YAML language server), or with
    --calendar / --plate of the lab calendar or the plate spec file."""
    if plate:
        from elab.domain.plate.spec_file import plate_spec_schema

        document = plate_spec_schema()
    elif calendar:
        from elab.domain.schedule.calendar import calendar_json_schema

        document = calendar_json_schema()
    else:
        from elab.domain.protocol import model_json_schema

        document = model_json_schema()
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)
    app.command("show")(show)
    app.command("schema")(schema)
