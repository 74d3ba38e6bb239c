"""A plate as a fixed-width text grid for terminals and the TUI, with a legend.

Each condition gets a short code: samples ``1``, ``2``…, controls a letter for their kind
(``v1`` vehicle, ``b1`` blank, ``p1`` positive, ``u1`` untreated, ``f1`` FMO, ``c1`` any
other such as a reference; a qPCR plate's ``t1`` no-template and ``r1`` no-RT wells), ``~``
the medium-filled edge and ``.`` an empty well, so the grid reads without colour.
"""

from __future__ import annotations

from elab.domain.plate.allocate import design_order
from elab.domain.plate.layout import EDGE_KIND, Layout
from elab.domain.plate.spec import Condition, DesignSpec
from elab.domain.plate.wells import row_name

__all__ = ["code_rank", "codes_for", "legend_from_layout", "legend_from_spec", "text_grid"]

# Lower-case, so a control's code never reads as a well: "b1" is the first blank, B1 a well.
_KIND_LETTER = {"vehicle": "v", "untreated": "u", "blank": "b", "positive": "p", "negative": "n",
                "standard": "s", "fmo": "f", "ntc": "t", "no-rt": "r"}


_LETTERS = (*_KIND_LETTER.values(), "c")


def code_rank(code: str) -> tuple[int, int, int]:
    """Where a code stands in a legend: samples by number, then the controls kind by kind
    (``v``, ``u``, ``b`` … as :data:`_KIND_LETTER` lists them), each by number, the edge last.
    A layout read back from its codes gets back the legend it was written with."""
    if code == "~":
        return (2, 0, 0)
    letter = code.rstrip("0123456789")
    number = int(code[len(letter):] or 0)
    if not letter:
        return (0, 0, number)
    return (1, _LETTERS.index(letter) if letter in _LETTERS else len(_LETTERS), number)


def _coded(conditions: list[Condition]) -> list[tuple[str, Condition]]:
    """Samples ``1``, ``2``… in order, then each control kind ``v1``, ``v2``… (kind by kind,
    each in order), edge ``~``."""
    rank = {"sample": 0, EDGE_KIND: 2}
    out = []
    samples = 0
    per_kind: dict[str, int] = {}

    def key(c: Condition) -> tuple[int, int]:
        letter = _KIND_LETTER.get(c.kind, "c")
        return (rank.get(c.kind, 1), _LETTERS.index(letter) if rank.get(c.kind, 1) == 1 else 0)

    for c in sorted(conditions, key=key):
        if c.kind == "sample":
            samples += 1
            code = str(samples)
        elif c.kind == EDGE_KIND:
            code = "~"
        else:
            # Numbered per letter: two kinds without a letter of their own share ``c``.
            letter = _KIND_LETTER.get(c.kind, "c")
            per_kind[letter] = per_kind.get(letter, 0) + 1
            code = f"{letter}{per_kind[letter]}"
        out.append((code, c))
    return out


def legend_from_layout(layout: Layout) -> list[tuple[str, Condition]]:
    """(code, condition) in the layout's legend order, each condition with its levels."""
    first: dict[str, Condition] = {}
    for p in layout.placements:
        first.setdefault(p.condition, Condition(p.condition, p.levels, p.kind))
    return _coded([first[name] for name in layout.conditions()])


def legend_from_spec(spec: DesignSpec) -> list[tuple[str, Condition]]:
    """The legend any layout of ``spec`` gets, without laying it out: the codes a plate map
    of the design shows, for tables (a dilution plan) that must name wells the same way."""
    return _coded(design_order(spec))


def codes_for(layout: Layout) -> dict[str, str]:
    """Condition → short code, stable in the layout's condition order."""
    return {c.name: code for code, c in legend_from_layout(layout)}


def text_grid(layout: Layout, plate: int | None = None, legend: bool = True) -> str:
    """All plates (or one) as grids, then the legend."""
    codes = codes_for(layout)
    width = max([2, *(len(c) for c in codes.values()), len(str(layout.plate.cols))])
    blocks = []
    plates = [plate] if plate is not None else list(range(1, layout.plates + 1))
    label_w = len(row_name(layout.plate.rows - 1))
    for p in plates:
        grid = layout.grid(p)
        lines = [layout.plate_title(p)]
        header = " " * label_w + " " + " ".join(
            f"{j + 1:>{width}}" for j in range(layout.plate.cols)
        )
        lines.append(header)
        for i in range(layout.plate.rows):
            cells = []
            for j in range(layout.plate.cols):
                placed = grid.get((i, j))
                cells.append(f"{codes[placed.condition] if placed else '.':>{width}}")
            lines.append(f"{row_name(i):>{label_w}} " + " ".join(cells))
        blocks.append("\n".join(lines))
    if legend:
        items = [f"{code:>{width}}  {name}" for name, code in codes.items()]
        items.append(f"{'.':>{width}}  empty")
        blocks.append("\n".join(items))
    return "\n\n".join(blocks)
