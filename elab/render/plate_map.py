"""Plate-map pictures: SVG (written as text), PNG (matplotlib Agg) and an HTML page (Jinja2).

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

from elab.domain.plate.grid import codes_for
from elab.domain.plate.layout import EDGE_KIND, Layout
from elab.domain.plate.quality import quality_report
from elab.domain.plate.wells import row_name

__all__ = ["WellStyle", "plate_map_html", "plate_map_png", "plate_map_svg", "styles_for",
           "write_plate_map"]

# Okabe & Ito (2008), then Tol's "muted" scheme for designs with more conditions.
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7")
TOL_MUTED = ("#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677",
             "#882255", "#AA4499")
PALETTE = OKABE_ITO + TOL_MUTED
CONTROL_FILL = {"vehicle": "#BBBBBB", "untreated": "#FFFFFF", "blank": "#E8E8E8",
                "positive": "#EE6677", "negative": "#77AADD", "standard": "#EEDD88"}
EDGE_FILL = "#DDDDDD"
_DARK_TEXT_ON = {"#E69F00", "#56B4E9", "#F0E442", "#88CCEE", "#44AA99", "#DDCC77", "#999933",
                 "#BBBBBB", "#FFFFFF", "#E8E8E8", "#DDDDDD", "#EE6677", "#CC79A7"}


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


def _geometry(layout: Layout) -> tuple[int, int, int]:
    """(cell size, label margin, font size) in px, smaller cells for dense plates."""
    cols = layout.plate.cols
    cell = 56 if cols <= 6 else 40 if cols <= 12 else 26
    return cell, 30, 13 if cell >= 40 else 10


def plate_map_svg(layout: Layout, title: str = "") -> str:
    """The plates side by side above one legend, as a standalone SVG document."""
    cell, margin, font = _geometry(layout)
    styles = styles_for(layout)
    fmt = layout.plate
    plate_w = margin + fmt.cols * cell + 20
    plate_h = margin + 22 + fmt.rows * cell + 16
    per_row = 1 if fmt.cols > 12 else min(layout.plates, 3)
    grid_rows = -(-layout.plates // per_row)
    legend_items = [*styles.items(), (".", WellStyle("", "#FFFFFF", "", False, "empty"))]
    legend_cols = max(1, (per_row * plate_w) // 260)
    legend_h = 24 + (-(-len(legend_items) // legend_cols)) * 22
    top = 34 if title else 8
    width = max(per_row * plate_w, 520)
    height = top + grid_rows * plate_h + legend_h + 10
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Arial, sans-serif" '
        f'role="img" aria-label="{html.escape(title or "plate map")}">',
        "<defs><pattern id=\"hatch\" patternUnits=\"userSpaceOnUse\" width=\"6\" height=\"6\" "
        "patternTransform=\"rotate(45)\"><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" "
        "stroke=\"#333\" stroke-width=\"1.4\" stroke-opacity=\"0.7\"/></pattern></defs>",
        f'<rect width="{width}" height="{height}" fill="#FFFFFF"/>',
    ]
    if title:
        out.append(f'<text x="10" y="22" font-size="16" font-weight="bold">'
                   f"{html.escape(title)}</text>")
    r = cell * 0.42
    for n in range(layout.plates):
        ox = (n % per_row) * plate_w + 8
        oy = top + (n // per_row) * plate_h
        out.append(f'<text x="{ox}" y="{oy + 14}" font-size="13" font-weight="bold">'
                   f"Plate {n + 1} · {html.escape(fmt.name)}</text>")
        gx, gy = ox + margin, oy + 22 + margin
        for j in range(fmt.cols):
            out.append(f'<text x="{gx + j * cell + cell / 2}" y="{gy - 8}" font-size="{font}" '
                       f'text-anchor="middle" fill="#444">{j + 1}</text>')
        for i in range(fmt.rows):
            out.append(f'<text x="{gx - 10}" y="{gy + i * cell + cell / 2 + font / 3}" '
                       f'font-size="{font}" text-anchor="middle" fill="#444">{row_name(i)}</text>')
        out.append(f'<rect x="{gx - 4}" y="{gy - 4}" width="{fmt.cols * cell + 8}" '
                   f'height="{fmt.rows * cell + 8}" rx="10" fill="none" stroke="#888"/>')
        grid = layout.grid(n + 1)
        for i in range(fmt.rows):
            for j in range(fmt.cols):
                cx, cy = gx + j * cell + cell / 2, gy + i * cell + cell / 2
                p = grid.get((i, j))
                well = f"{row_name(i)}{j + 1}"
                if p is None:
                    out.append(f'<circle cx="{cx}" cy="{cy}" r="{r:.1f}" fill="#FFFFFF" '
                               f'stroke="#AAAAAA" stroke-dasharray="2,2"><title>{well}: empty'
                               "</title></circle>")
                    continue
                s = styles[p.condition]
                label = html.escape(f"{well}: {p.condition} (replicate {p.replicate})")
                stroke = "#000000" if s.hatched else "#555555"
                width_px = 2.2 if s.hatched else 0.8
                out.append(f'<circle cx="{cx}" cy="{cy}" r="{r:.1f}" fill="{s.fill}" '
                           f'stroke="{stroke}" stroke-width="{width_px}"><title>{label}</title>'
                           "</circle>")
                if s.hatched:
                    out.append(f'<circle cx="{cx}" cy="{cy}" r="{r:.1f}" fill="url(#hatch)" '
                               'pointer-events="none"/>')
                code_font = font if len(s.code) <= 2 else font - 2
                if s.hatched:
                    bw = code_font * 0.7 * len(s.code) + 4
                    out.append(f'<rect x="{cx - bw / 2:.1f}" y="{cy - code_font * 0.6:.1f}" '
                               f'width="{bw:.1f}" height="{code_font * 1.2:.1f}" rx="2" '
                               'fill="#FFFFFF" pointer-events="none"/>')
                out.append(f'<text x="{cx}" y="{cy + code_font / 3}" font-size="{code_font}" '
                           f'text-anchor="middle" fill="{s.text}" font-weight="bold" '
                           f'pointer-events="none">{html.escape(s.code)}</text>')
    ly = top + grid_rows * plate_h + 10
    out.append(f'<text x="10" y="{ly}" font-size="13" font-weight="bold">Legend '
               f'<tspan font-weight="normal">({html.escape(_legend_title(layout))})</tspan></text>')
    col_w = width // legend_cols
    rows_per_col = -(-len(legend_items) // legend_cols)
    for k, (name, s) in enumerate(legend_items):
        lx = 12 + (k // rows_per_col) * col_w
        yy = ly + 16 + (k % rows_per_col) * 22
        dash = ' stroke-dasharray="2,2"' if s.kind == "empty" else ""
        sw = 2 if s.hatched else 0.8
        out.append(f'<circle cx="{lx + 8}" cy="{yy}" r="8" fill="{s.fill}" stroke="#333" '
                   f'stroke-width="{sw}"{dash}/>')
        if s.hatched:
            out.append(f'<circle cx="{lx + 8}" cy="{yy}" r="8" fill="url(#hatch)"/>')
        label = "empty" if s.kind == "empty" else name
        kind = "" if s.kind in ("sample", "empty", EDGE_KIND) else f" ({s.kind} control)"
        code = f"{s.code} " if s.code else ""
        out.append(f'<text x="{lx + 22}" y="{yy + 4}" font-size="12">'
                   f"<tspan font-weight=\"bold\">{html.escape(code)}</tspan>"
                   f"{html.escape(label + kind)}</text>")
    out.append("</svg>")
    return "\n".join(out)


def _legend_title(layout: Layout) -> str:
    """Names the factors whose levels make up a condition name (``dose / time``)."""
    return " / ".join(layout.factors) if layout.factors else "condition"


def plate_map_png(layout: Layout, path: Path, title: str = "", dpi: int = 150) -> None:
    """The same picture drawn by matplotlib (Agg) for slides and the PDF record."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Circle, Patch

    styles = styles_for(layout)
    fmt = layout.plate
    scale = 0.5 if fmt.cols <= 12 else 0.36
    n = layout.plates
    fig_w = fmt.cols * scale + 1.0
    fig_h = n * (fmt.rows * scale + 0.8) + 0.6
    fig, axes = plt.subplots(n, 1, figsize=(fig_w, fig_h), squeeze=False)
    font = 8 if fmt.cols <= 12 else 5.5
    for k, ax in enumerate(axes[:, 0]):
        grid = layout.grid(k + 1)
        for i in range(fmt.rows):
            for j in range(fmt.cols):
                p = grid.get((i, j))
                if p is None:
                    ax.add_patch(Circle((j, i), 0.42, facecolor="white", edgecolor="#AAAAAA",
                                        linestyle=(0, (2, 2)), linewidth=0.8))
                    continue
                s = styles[p.condition]
                ax.add_patch(Circle((j, i), 0.42, facecolor=s.fill,
                                    edgecolor="black" if s.hatched else "#555555",
                                    linewidth=1.6 if s.hatched else 0.6,
                                    hatch="////" if s.hatched else None))
                # Controls' codes sit on a white box so the hatching does not cross them.
                box = ({"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"}
                       if s.hatched else None)
                ax.text(j, i, s.code, ha="center", va="center", fontsize=font,
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
        ax.set_title(f"Plate {k + 1} · {fmt.name}", fontsize=9, loc="left", pad=14)
    handles = []
    for name, s in styles.items():
        kind = "" if s.kind in ("sample", EDGE_KIND) else f" ({s.kind})"
        handles.append(Patch(facecolor=s.fill, edgecolor="black" if s.hatched else "#555555",
                             hatch="////" if s.hatched else None, label=f"{s.code}  {name}{kind}"))
    handles.append(Patch(facecolor="white", edgecolor="#AAAAAA", linestyle="--", label="empty"))
    ncol = 1 if len(handles) <= 16 else 2 if len(handles) <= 40 else 3
    fig.legend(handles=handles, loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=7,
               frameon=False, ncol=ncol, title=_legend_title(layout), title_fontsize=7.5,
               alignment="left")
    if title:
        fig.suptitle(title, fontsize=11, x=0.02, ha="left")
    fig.tight_layout()
    fig.savefig(path, dpi=dpi, bbox_inches="tight", facecolor="white")
    plt.close(fig)


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
