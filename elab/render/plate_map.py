"""Plate-map pictures: one matplotlib drawing, saved as SVG or PNG, and an HTML page (Jinja2).

Colour is never the only signal: every well carries its short code (``3``, ``V1``, ``~``),
controls are hatched and ringed, the medium-filled edge is grey with ``~`` and empty wells are
dashed outlines.  Colours come from the Okabe–Ito and Paul Tol palettes, which stay distinct
under the common colour-vision deficiencies.  With two or more factors the colour follows the
compound (the first factor) and the shade the last factor's level, so a compound's dose series
reads as one hue from pale to full.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from elab.domain.plate.grid import codes_for
from elab.domain.plate.layout import EDGE_KIND, Layout
from elab.domain.plate.quality import quality_report
from elab.domain.plate.wells import row_name
from elab.safe_text import printable

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "CONTROL_FILL",
    "EDGE_FILL",
    "OKABE_ITO",
    "PALETTE",
    "TOL_MUTED",
    "WellStyle",
    "plate_map_figure",
    "plate_map_html",
    "plate_map_png",
    "plate_map_svg",
    "styles_for",
    "write_plate_map",
]

# Okabe & Ito (2008), then Tol's "muted" scheme for designs with more conditions.
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7")
TOL_MUTED = ("#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677",
             "#882255", "#AA4499")
PALETTE = OKABE_ITO + TOL_MUTED
CONTROL_FILL = {"vehicle": "#BBBBBB", "untreated": "#FFFFFF", "blank": "#E8E8E8",
                "positive": "#EE6677", "negative": "#77AADD", "standard": "#EEDD88"}
EDGE_FILL = "#DDDDDD"



@dataclass(frozen=True)
class WellStyle:
    """How one condition is drawn."""

    code: str
    fill: str
    text: str
    hatched: bool
    kind: str


def _mix(colour: str, t: float) -> str:
    """``colour`` blended towards white by ``t`` (0 = unchanged, 1 = white)."""
    rgb = [int(colour[k : k + 2], 16) for k in (1, 3, 5)]
    out = [round(c + (255 - c) * t) for c in rgb]
    return "#" + "".join(f"{c:02X}" for c in out)


def _text_on(fill: str) -> str:
    rgb = [int(fill[k : k + 2], 16) for k in (1, 3, 5)]
    luminance = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]
    return "#000000" if luminance > 140 else "#FFFFFF"


def styles_for(layout: Layout) -> dict[str, WellStyle]:
    """Condition → style, stable for a layout."""
    codes = codes_for(layout)
    styles: dict[str, WellStyle] = {}
    first: dict[str, tuple[tuple[str, str], ...]] = {}
    for p in layout:
        first.setdefault(p.condition, p.levels)
    hues: dict[str, str] = {}
    shades: dict[str, list[str]] = {}
    for name in layout.conditions():
        kind = layout.kind_of(name)
        if kind == EDGE_KIND:
            styles[name] = WellStyle(codes[name], EDGE_FILL, "#555555", False, kind)
            continue
        if kind != "sample":
            fill = CONTROL_FILL.get(kind, "#CCCCCC")
            styles[name] = WellStyle(codes[name], fill, "#000000", True, kind)
            continue
        levels = first[name]
        if len(levels) >= 2:
            compound, shade_level = levels[0][1], levels[-1][1]
            hue = hues.setdefault(compound, PALETTE[len(hues) % len(PALETTE)])
            series = shades.setdefault(compound, [])
            if shade_level not in series:
                series.append(shade_level)
            styles[name] = WellStyle(codes[name], hue, "", False, kind)
        else:
            fill = PALETTE[len(hues) % len(PALETTE)]
            hues[name] = fill
            styles[name] = WellStyle(codes[name], fill, _text_on(fill), False, kind)
    # Shade the last factor's levels of each compound from pale (lowest) to full.
    for name, style in list(styles.items()):
        levels = first.get(name, ())
        if style.kind == "sample" and len(levels) >= 2:
            series = shades[levels[0][1]]
            k = series.index(levels[-1][1])
            t = 0.0 if len(series) == 1 else 0.6 * (1 - k / (len(series) - 1))
            fill = _mix(style.fill, t)
            styles[name] = WellStyle(style.code, fill, _text_on(fill), False, style.kind)
    return styles


def _plain(text: str) -> str:
    """Text matplotlib shows as written: a ``$`` would otherwise start mathtext, and control
    or bidirectional characters of a typed condition name are shown as escapes (an SVG with
    a raw ESC is not even XML)."""
    return printable(text).replace("$", r"\$")


def _legend_title(layout: Layout) -> str:
    """Names the factors whose levels make up a condition name (``dose / time``)."""
    return " / ".join(layout.factors) if layout.factors else "condition"


def _well_titles(layout: Layout) -> dict[str, str]:
    """SVG group id → the hover text of that well."""
    titles: dict[str, str] = {}
    for n in range(1, layout.plates + 1):
        grid = layout.grid(n)
        for i in range(layout.plate.rows):
            for j in range(layout.plate.cols):
                well = f"{row_name(i)}{j + 1}"
                p = grid.get((i, j))
                titles[f"well-{n}-{well}"] = (f"{well}: empty" if p is None else
                                              f"{well}: {p.condition} (replicate {p.replicate})")
    return titles


def plate_map_figure(layout: Layout, title: str = "") -> Figure:
    """The plate map: the plates one above the other, a legend beside them.

    Colour is never the only signal: each well carries its code, controls are hatched and
    ringed in black, empty wells dashed.  Each well's circle has the SVG id
    ``well-PLATE-WELL``, which :func:`plate_map_svg` gives a hover title.
    """
    from matplotlib.figure import Figure
    from matplotlib.patches import Circle, Patch

    styles = styles_for(layout)
    fmt = layout.plate
    scale = 0.5 if fmt.cols <= 12 else 0.36
    n = layout.plates
    fig = Figure(figsize=(fmt.cols * scale + 1.0, n * (fmt.rows * scale + 0.8) + 0.6))
    axes = fig.subplots(n, 1, squeeze=False)
    font = 8 if fmt.cols <= 12 else 5.5
    for k, ax in enumerate(axes[:, 0]):
        grid = layout.grid(k + 1)
        for i in range(fmt.rows):
            for j in range(fmt.cols):
                p = grid.get((i, j))
                gid = f"well-{k + 1}-{row_name(i)}{j + 1}"
                if p is None:
                    ax.add_patch(Circle((j, i), 0.42, facecolor="white", edgecolor="#AAAAAA",
                                        linestyle=(0, (2, 2)), linewidth=0.8, gid=gid))
                    continue
                s = styles[p.condition]
                ax.add_patch(Circle((j, i), 0.42, facecolor=s.fill,
                                    edgecolor="black" if s.hatched else "#555555",
                                    linewidth=1.6 if s.hatched else 0.6,
                                    hatch="////" if s.hatched else None, gid=gid))
                # Controls' codes sit on a white box so the hatching does not cross them.
                box = ({"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"}
                       if s.hatched else None)
                ax.text(j, i, _plain(s.code), ha="center", va="center", fontsize=font,
                        color=s.text, fontweight="bold", bbox=box)
        ax.set_xlim(-0.6, fmt.cols - 0.4)
        ax.set_ylim(fmt.rows - 0.4, -0.6)
        ax.set_aspect("equal")
        ax.set_xticks(range(fmt.cols), [str(j + 1) for j in range(fmt.cols)], fontsize=font)
        ax.set_yticks(range(fmt.rows), [row_name(i) for i in range(fmt.rows)], fontsize=font)
        ax.xaxis.tick_top()
        ax.tick_params(length=0)
        for side in ax.spines.values():
            side.set_color("#888888")
        shared = ", ".join(f"{f} {v}" for f, v in layout.plate_levels(k + 1))
        ax.set_title(f"Plate {k + 1} · {fmt.name}" + (f" · {shared}" if shared else ""),
                     fontsize=9, loc="left", pad=14)
    handles = []
    for name, s in styles.items():
        kind = "" if s.kind in ("sample", EDGE_KIND) else f" ({s.kind} control)"
        handles.append(Patch(facecolor=s.fill, edgecolor="black" if s.hatched else "#555555",
                             hatch="////" if s.hatched else None,
                             label=_plain(f"{s.code}  {name}{kind}")))
    handles.append(Patch(facecolor="white", edgecolor="#AAAAAA", linestyle="--", label="empty"))
    ncol = 1 if len(handles) <= 16 else 2 if len(handles) <= 40 else 3
    fig.legend(handles=handles, loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=7,
               frameon=False, ncol=ncol, title=_plain(_legend_title(layout)),
               title_fontsize=7.5, alignment="left")
    if title:
        fig.suptitle(_plain(title), fontsize=11, x=0.02, ha="left")
    fig.tight_layout()
    return fig


def plate_map_svg(layout: Layout, title: str = "") -> str:
    """The plate map as an SVG document (text kept as text), each well with a hover title."""
    import io

    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "elab"}):
        plate_map_figure(layout, title).savefig(
            buffer, format="svg", bbox_inches="tight", facecolor="white",
            metadata={"Date": None},
        )
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):].strip()
    for gid, text in _well_titles(layout).items():
        shown = html.escape(printable(text))
        svg = svg.replace(f'<g id="{gid}">', f'<g id="{gid}"><title>{shown}</title>', 1)
    return svg


def plate_map_png(layout: Layout, path: Path, title: str = "", dpi: int = 150) -> None:
    """The plate map as a PNG, for slides."""
    plate_map_figure(layout, title).savefig(path, dpi=dpi, bbox_inches="tight",
                                            facecolor="white")


def plate_map_html(layout: Layout, title: str = "Plate layout") -> str:
    """A self-contained page: the SVG map, the legend, the quality report and the notes."""
    import jinja2
    from markupsafe import Markup

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    template = env.get_template("plate_map.html.j2")
    return template.render(
        title=title,
        svg=Markup(plate_map_svg(layout)),  # built here with every text escaped
        quality=quality_report(layout),
        notes=layout.notes,
        layout=layout,
    )


def write_plate_map(layout: Layout, path: Path, title: str = "") -> None:
    """Write ``.svg``, ``.png`` or ``.html`` by the file's suffix."""
    suffix = path.suffix.lower()
    if suffix == ".svg":
        path.write_text(plate_map_svg(layout, title), encoding="utf-8")
    elif suffix == ".png":
        plate_map_png(layout, path, title)
    elif suffix in (".html", ".htm"):
        path.write_text(plate_map_html(layout, title or "Plate layout"), encoding="utf-8")
    else:
        from elab.errors import InputError

        raise InputError(f"cannot write a plate map as {suffix or 'a file without suffix'} "
                         "(use .svg, .png, .html or .csv)")
