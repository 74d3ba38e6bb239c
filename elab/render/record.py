"""Run records as HTML (for print), Markdown and PDF, from one :class:`RunRecord`.

Three rules keep a record honest and safe:

* Everything a person typed is escaped.  HTML templates autoescape (after ``finalize``
  shows control and bidirectional characters as escapes); the Markdown templates
  escape every ``{{ }}`` output through ``finalize`` (backslash escapes, which both a
  terminal reader and CommonMark understand), so ``<script>`` or ``[link](..)`` in a note
  reads as text in every format.
* The PDF is made from the same HTML by WeasyPrint with :class:`EmbeddedOnlyFetcher`, which
  refuses every URL except the record's own ``data:`` images: a note that smuggles
  ``<img src="file:///etc/passwd">`` past a careless lab template still reads nothing.
* Templates always render in Jinja's sandbox (the built-in ones are trusted, but a lab may
  override any of them from ``user_config_dir("elab")/templates``, and a sandbox for all
  costs nothing), so ``{{ ''.__class__.__mro__ }}`` in a lab template is an error.

Built-in templates live in ``elab/render/templates/record/`` (shipped as package data); a lab
template of the same name wins, and ``elab/record.html.j2`` always names the built-in one so
a lab template can extend it and replace a block (``letterhead``).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import unquote_to_bytes

from elab.domain.records.model import RunRecord
from elab.errors import InputError
from elab.safe_text import printable
from elab.units import format_duration

if TYPE_CHECKING:
    import jinja2
    from markupsafe import Markup

__all__ = [
    "BUILTIN_TEMPLATES",
    "PDF_VARIANTS",
    "EmbeddedOnlyFetcher",
    "MdSafe",
    "Paper",
    "css_string",
    "html_text",
    "md_code",
    "md_escape",
    "record_html",
    "record_markdown",
    "record_pdf",
    "user_templates_dir",
]

Paper = Literal["A4", "letter"]
BUILTIN_TEMPLATES = Path(__file__).parent / "templates" / "record"


def user_templates_dir() -> Path:
    """Where a lab puts its own record templates (letterhead, house style)."""
    from platformdirs import user_config_dir

    return Path(user_config_dir("elab")) / "templates"


# --- escaping --------------------------------------------------------------------------

_MD_ALWAYS = re.compile(r"([\\`*\[\]<>|~$])")
_MD_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_MD_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_MD_LINE_START = re.compile(
    r"^(\s*)(>|#(?=#*(?:\s|$))|[+=-](?=\s|$)|-(?=(?:\s*-){2,}\s*$)|\d+(?=[.)](?:\s|$)))"
)


class MdSafe(str):
    """Markdown built by the renderer itself, passed through ``finalize`` unchanged."""

    __slots__ = ()


def md_escape(value: Any) -> str:
    """Text made inert for Markdown: no emphasis, links, HTML, tables or headings.

    Backslash escapes rather than HTML entities, so the text still reads naturally in a
    terminal (``\\<script\\>``) and renders as exactly what was typed on a code-hosting
    site.  Newlines become spaces: every value sits inside a table cell or a list item.
    """
    if value is None:
        return ""
    if isinstance(value, MdSafe):
        return str(value)
    text = " ".join(str(value).split()) if isinstance(value, str) else str(value)
    # Control characters (ESC, OSC title sequences) are shown as escapes, never passed on
    # to the terminal a Markdown record is read in.
    text = printable(text)
    text = _MD_ALWAYS.sub(r"\\\1", text)
    text = _MD_UNDERSCORE.sub(r"\\_", text)
    text = _MD_ENTITY.sub(r"\\&", text)
    # A URL typed in a note is text, not a live link (GitHub and most renderers autolink).
    text = text.replace("://", "\\://").replace("www.", "www\\.")
    return _MD_LINE_START.sub(_escape_line_start, text)


def _escape_line_start(match: re.Match[str]) -> str:
    """``# x`` → ``\\# x``; ``1. x`` → ``1\\. x`` (a digit cannot be backslash-escaped)."""
    lead, mark = match.group(1), match.group(2)
    if mark.isdigit():
        return lead + mark + "\\"
    return lead + "\\" + mark


def html_text(value: Any) -> Any:
    """Every ``{{ }}`` of an HTML template (a lab's too) before autoescaping: typed text with
    its control and bidirectional characters shown as escapes (``\u001b``, ``\u202e``), as
    the terminal shows them, so a note cannot ring, recolour a terminal that cats the file,
    or reverse what the lines after it say in the browser and the PDF.  Markup the renderer
    built itself (the plate map, CSS strings, ``data:`` URIs) passes as it is."""
    from markupsafe import Markup

    if isinstance(value, str) and not isinstance(value, Markup):
        return printable(value)
    return value


def md_code(value: Any) -> MdSafe:
    """Text for a fenced code block: kept as it is, except that it cannot close the fence."""
    return MdSafe(str(value).replace("```", "ˋˋˋ"))


def css_string(value: Any) -> Markup:
    """A CSS string literal that cannot close itself or the ``<style>`` element."""
    from markupsafe import Markup

    out = []
    for ch in str(value):
        if ch.isascii() and (ch.isalnum() or ch in " .:-_·/()#"):
            out.append(ch)
        else:
            out.append(f"\\{ord(ch):x} ")
    return Markup('"' + "".join(out) + '"')  # every risky character is a CSS hex escape


# --- filters shared by every template ---------------------------------------------------


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC) if value.tzinfo is not None else value


def _local(value: datetime, tz: tzinfo | None, *, date: bool) -> str:
    """`` (10:00:00 CET)``: the local time beside UTC, its date only when it differs."""
    if tz is None or value.tzinfo is None:
        return ""
    here = value.astimezone(tz)
    shown = "%Y-%m-%d %H:%M:%S" if date or here.date() != _utc(value).date() else "%H:%M:%S"
    return f" ({here.strftime(shown)} {here.tzname() or here.strftime('%z')})"


def _dt(value: datetime | None, tz: tzinfo | None = None) -> str:
    if value is None:
        return "—"
    return _utc(value).strftime("%Y-%m-%d %H:%M:%S UTC") + _local(value, tz, date=False)


def _span(start: datetime | None, end: datetime | None, tz: tzinfo | None = None) -> str:
    """``2026-11-23 09:00:00 → 09:13:10 UTC``; the end's date only when it differs."""
    if start is None and end is None:
        return "—"
    if start is None or end is None:
        return f"{_dt(start, tz)} → {_dt(end, tz)}"
    start, end = _utc(start), _utc(end)
    if start.date() == end.date():
        text = f"{start:%Y-%m-%d %H:%M:%S} → {end:%H:%M:%S} UTC"
    else:
        text = f"{start:%Y-%m-%d %H:%M:%S} → {end:%Y-%m-%d %H:%M:%S} UTC"
    if tz is not None:
        a, b = start.astimezone(tz), end.astimezone(tz)
        text += f" ({a:%H:%M:%S} → {b:%H:%M:%S} {b.tzname() or b.strftime('%z')})"
    return text


def _time(value: datetime | None, tz: tzinfo | None = None) -> str:
    if value is None:
        return "—"
    text = _utc(value).strftime("%H:%M:%S UTC")
    if tz is not None and value.tzinfo is not None:
        here = value.astimezone(tz)
        text += f" ({here:%H:%M:%S} {here.tzname() or here.strftime('%z')})"
    return text


def _duration(seconds: float | None) -> str:
    return "—" if seconds is None else format_duration(seconds)


def _size(n: int) -> str:
    size = float(n)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{n} B"


def _short(value: str, n: int = 12) -> str:
    return value[:n]


# --- environments -----------------------------------------------------------------------


def _environment(
    kind: Literal["html", "md"], lab: Path | None, tz: tzinfo | None = None
) -> jinja2.Environment:
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    builtin = jinja2.FileSystemLoader(BUILTIN_TEMPLATES)
    loaders: list[jinja2.BaseLoader] = []
    if lab is not None and lab.is_dir():
        loaders.append(jinja2.FileSystemLoader(lab))
    loaders += [builtin, jinja2.PrefixLoader({"elab": builtin})]
    options: dict[str, Any] = {
        "loader": jinja2.ChoiceLoader(loaders),
        "undefined": jinja2.StrictUndefined,
        "trim_blocks": True,
        "lstrip_blocks": True,
        "keep_trailing_newline": True,
    }
    if kind == "html":
        env = ImmutableSandboxedEnvironment(autoescape=True, finalize=html_text, **options)
    else:
        env = ImmutableSandboxedEnvironment(autoescape=False, finalize=md_escape, **options)
    env.filters.update(
        dt=lambda v: _dt(v, tz), span=lambda a, b: _span(a, b, tz),
        time=lambda v: _time(v, tz), duration=_duration, size=_size, short=_short,
        css_string=css_string, md_code=md_code,
    )
    return env


def _render(kind: Literal["html", "md"], name: str, lab: Path | None, **context: Any) -> str:
    import jinja2
    from jinja2.exceptions import SecurityError

    record = context.get("r")
    env = _environment(kind, lab, getattr(record, "local_tz", None))
    try:
        return env.get_template(name).render(**context)
    except SecurityError as exc:
        raise InputError(f"record template refused: it reaches Python internals ({exc})") from exc
    except jinja2.TemplateSyntaxError as exc:
        raise InputError(f"record template {exc.filename or exc.name}:{exc.lineno}: "
                         f"{exc.message}") from exc
    except jinja2.TemplateError as exc:
        raise InputError(f"record template {name}: {exc}") from exc


def record_html(
    record: RunRecord, *, paper: Paper | None = None, lab_templates: Path | None = None
) -> str:
    """The record as one self-contained HTML page (styles and images inline).

    ``paper`` fixes the page size for print; without it the browser's choice applies (the
    layout fits both A4 and Letter).
    """
    from markupsafe import Markup

    page_size = Markup({"A4": "A4", "letter": "letter"}.get(paper or "", "auto"))
    return _render("html", "record.html.j2", lab_templates, r=record, page_size=page_size)


def record_markdown(record: RunRecord, *, lab_templates: Path | None = None) -> str:
    """The record as Markdown that reads well in a terminal and renders on a code host."""
    return _render("md", "record.md.j2", lab_templates, r=record)


# --- PDF --------------------------------------------------------------------------------


class EmbeddedOnlyFetcher:
    """A WeasyPrint URL fetcher that serves ``data:`` URIs and refuses everything else.

    It never touches the file system or the network, so nothing a record contains can make
    the renderer read ``file:///etc/passwd`` or call a server.  ``refused`` lists what
    was asked for and turned down, for tests and for a warning.
    """

    def __init__(self) -> None:
        self.refused: list[str] = []

    def fetch(self, url: str) -> tuple[bytes, str]:
        """The bytes and MIME type of a ``data:`` URI; ValueError for any other URL."""
        if not url.startswith("data:") or "," not in url:
            self.refused.append(url)
            raise ValueError(f"the record renderer fetches only embedded data: URIs, not {url}")
        header, _, payload = url[5:].partition(",")
        parts = header.split(";")
        mime = parts[0] or "text/plain"
        body = base64.b64decode(payload) if "base64" in parts[1:] else unquote_to_bytes(payload)
        return body, mime


def _weasy_fetcher(policy: EmbeddedOnlyFetcher) -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class _Fetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            body, mime = policy.fetch(url)
            return URLFetcherResponse(url, body, {"Content-Type": mime})

    return _Fetcher(allowed_protocols=("data",), allow_redirects=False)


PDF_VARIANTS = ("pdf/a-3b", "pdf/a-3u")


def record_pdf(
    record: RunRecord,
    *,
    paper: Paper = "A4",
    lab_templates: Path | None = None,
    fetcher: EmbeddedOnlyFetcher | None = None,
    html: str | None = None,
    pdf_variant: str | None = None,
    attachments: Sequence[tuple[str, str, bytes]] = (),
) -> bytes:
    """The record's HTML printed to PDF by WeasyPrint, fetching only embedded resources.

    ``pdf_variant`` (``pdf/a-3b``) makes an archival PDF; PDF/A-3 is the part that allows
    embedded files, so ``attachments`` — (name, file name, bytes) of the run's data files —
    travel inside it and one file carries the whole run.
    """
    import gc
    import io
    import logging
    import warnings

    from weasyprint import HTML, Attachment

    if pdf_variant is not None and pdf_variant not in PDF_VARIANTS:
        raise InputError(f"unknown PDF variant {pdf_variant!r} (known: {', '.join(PDF_VARIANTS)})")

    source = html if html is not None else record_html(
        record, paper=paper, lab_templates=lab_templates
    )
    policy = fetcher or EmbeddedOnlyFetcher()
    logger = logging.getLogger("weasyprint")
    level = logger.level
    logger.setLevel(logging.CRITICAL)  # refusals are expected; the policy keeps the list
    try:
        document = HTML(string=source, base_url=None, url_fetcher=_weasy_fetcher(policy))
        options: dict[str, Any] = {}
        if pdf_variant is not None:
            options["pdf_variant"] = pdf_variant
        if attachments:
            options["attachments"] = [
                Attachment(file_obj=io.BytesIO(data), name=filename or name,
                           description=f"run attachment {name}", relationship="Source")
                for name, filename, data in attachments
            ]
        with warnings.catch_warnings():
            # WeasyPrint opens its sRGB profile for PDF/A and never closes it; collect that
            # file here, quietly, rather than warn later about a library's handle.
            warnings.simplefilter("ignore", ResourceWarning)
            pdf: bytes = document.write_pdf(**options)
            if pdf_variant is not None:
                gc.collect()
    finally:
        logger.setLevel(level)
    return pdf

