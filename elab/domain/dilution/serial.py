"""Serial dilutions that keep the vehicle (DMSO) at one final percentage in every well.

The series is made in 100 % vehicle at ``1/f`` × the final concentration (``f`` the vehicle's
final fraction), so each point carries the same vehicle into its wells; the vehicle control gets
pure vehicle by the same path and so the same percentage.  When the volume of vehicle per well
(``V·f``, 0.1 µL for 0.1 % of 100 µL) is below the pipette minimum, each point goes through an
intermediate plate in medium first (the vehicle at ``f·V/a`` there, ``a`` added per well).  When
the stock step would need less than the minimum, the stock is pre-diluted in vehicle, at most
1:100 a step, and a note says so.  Small volumes are chosen on the pipette's grid first and the
large ones derived from them, so rounding moves concentrations by a fraction of a percent.

Without a vehicle (an aqueous stock) the series is made directly in medium at the working
concentration.

``well_ul`` is the well after the addition (the design's working volume + its addition).
When the design fixes the route (``intermediate``: each point diluted 1:I in medium, 1 for
none, and ``series_top``: the top point in the vehicle), the plan follows it instead of
choosing one, so the bench makes what the protocol says.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from elab.domain.dilution.pipette import PipetteLimits
from elab.domain.dilution.table import Plan, Row, conc_text, volume_text
from elab.errors import InfeasibleError, InputError

__all__ = ["SerialSpec", "plan_serial"]


@dataclass(frozen=True)
class SerialSpec:
    """A dose series: concentrations in ``unit`` (pint spelling), volumes in µL."""

    stock: float
    top: float
    unit: str
    fold: float = 3.0
    points: int = 8
    well_ul: float = 100.0
    wells: int = 3
    control_wells: int = 3
    vehicle: str = "DMSO"
    vehicle_fraction: float = 0.001
    add_ul: float | None = None
    diluent: str = "medium"
    compound: str = "compound"
    limits: PipetteLimits = field(default_factory=PipetteLimits)
    intermediate: float | None = None
    series_top: float | None = None
    names: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    control_codes: str = ""
    # The final concentrations, top first, when the design's steps differ (30, 10, 3, 1 nM):
    # each point is then diluted from the one above by its own fold.
    levels: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        for given, what in ((self.names, "names"), (self.codes, "plate codes")):
            if given and len(given) != self.points:
                raise InputError(f"{len(given)} point {what} for a series of {self.points} points")
        if len(set(self.names)) != len(self.names):
            raise InputError("two points of the series share a name")
        if self.levels and (len(self.levels) != self.points or self.levels[0] != self.top
                            or sorted(set(self.levels), reverse=True) != list(self.levels)):
            raise InputError("the levels of a series go from its top down, one per point")
        if self.fold <= 1:
            raise InputError(f"a serial dilution needs a fold above 1, not {self.fold:g}")
        if not 1 <= self.points <= 48:
            raise InputError(f"a series of {self.points} points is not possible (1–48)")
        if self.top <= 0 or self.stock <= 0 or self.well_ul <= 0:
            raise InputError("stock, top concentration and well volume must be positive")
        if self.wells < 1 or self.control_wells < 0:
            raise InputError("each point needs at least one well")
        if not 0 <= self.vehicle_fraction < 1:
            raise InputError("the vehicle's final percentage must be between 0 and 100 %")
        if self.intermediate is not None and (self.intermediate < 1 or self.add_ul is None):
            raise InputError("an intermediate dilution needs an addition volume and a factor "
                             "of at least 1:1")
        if self.stock < self.top:
            raise InputError(
                f"the stock ({self.c(self.stock)}) is weaker than the top concentration "
                f"({self.c(self.top)})"
            )

    def c(self, value: float) -> str:
        return conc_text(value, self.unit)

    def target(self, k: int) -> float:
        """Point ``k``'s final concentration (0 the top)."""
        return self.levels[k] if self.levels else self.top / self.fold**k

    def step(self, k: int) -> float:
        """The fold point ``k`` is diluted by from point ``k - 1``."""
        return self.target(k - 1) / self.target(k) if self.levels else self.fold

    def name(self, k: int) -> str:
        """The name of point ``k`` (0 the top): its number in the design (the plate map's
        code) when given, else its place from the top."""
        return self.names[k] if self.names else str(k + 1)

    def code(self, k: int) -> str:
        return self.codes[k] if self.codes else ""


def _numbering(spec: SerialSpec) -> str:
    """Why the series starts at a number other than 1, so nobody matches it by place."""
    if spec.codes and spec.codes == spec.names:
        how = "as their wells' codes on the plate map"
    else:
        how = "in the order the design lists its doses" + (
            "; the plate code column names their wells on the plate map" if spec.codes else "")
    return (f"points are numbered {how}: the series "
            f"starts at point {spec.name(0)} ({spec.c(spec.top)} in the wells), made first, "
            f"and is diluted down to point {spec.name(spec.points - 1)}")


def _steps_note(spec: SerialSpec) -> str:
    """Why the steps differ, and what one fold would have made instead."""
    steps = ", ".join(f"1:{spec.step(k):.3g}" for k in range(1, spec.points))
    fold = round(spec.step(1), 6)
    even = ", ".join(spec.c(spec.top / fold**k) for k in range(1, spec.points))
    return (f"each point is diluted from the one above by its own step ({steps}) so the "
            f"wells get the design's levels, the ones the analysis and the record use; one "
            f"1:{fold:g} step throughout would give {even}")


def _pct(fraction: float) -> str:
    return f"{fraction * 100:.4g} %"


@dataclass
class _Build:
    spec: SerialSpec
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    volumes: list[float] = field(default_factory=list)

    def add(self, row: Row) -> None:
        lim = self.spec.limits
        for ul, what in ((row.volume_ul, row.source), (row.diluent_ul, row.diluent)):
            if ul > 0:
                lim.check(ul, f"step {row.step!r} ({what})")
                self.volumes.append(ul)
        self.rows.append(row)


def _designed(spec: SerialSpec, b: _Build) -> tuple[float, float, float | None, float, float]:
    """The design's route: ``add_ul`` of each point diluted 1:``intermediate`` in medium."""
    lim = spec.limits
    add = spec.add_ul
    assert add is not None and spec.intermediate is not None
    if add > spec.well_ul:
        raise InputError(
            f"{volume_text(add)} added per well is more than the well's {volume_text(spec.well_ul)}"
        )
    lim.check(add, "adding working solution to each well")
    m = spec.well_ul / add
    per_point = max(spec.wells, spec.control_wells) * add * (1 + lim.overage) + lim.dead_ul
    if spec.intermediate <= 1 + 1e-9:
        return add, m, None, per_point, 1.0
    fi = 1 / spec.intermediate
    b.notes.append(
        f"each point is diluted 1:{spec.intermediate:g} in {spec.diluent} (the design's "
        f"intermediate), {volume_text(add)} of it per well"
    )
    d = lim.up(max(lim.min_ul, per_point * fi))
    return add, m, d, d, fi


def _delivery(spec: SerialSpec, b: _Build) -> tuple[float, float, float | None, float, float]:
    """(add per well, working factor m, vehicle per intermediate or None, consumed per point,
    the fraction of a point in its working solution)."""
    if spec.intermediate is not None:
        return _designed(spec, b)
    lim = spec.limits
    f = spec.vehicle_fraction
    wells = spec.wells
    direct = spec.well_ul * f
    if f > 0 and spec.add_ul is None and direct >= lim.min_ul and lim.nearest(direct) == direct:
        return direct, 1 / f, None, wells * direct * (1 + lim.overage) + lim.dead_ul, 1.0
    add = spec.add_ul if spec.add_ul is not None else lim.up(max(lim.min_ul, spec.well_ul / 10))
    if spec.add_ul is None and f == 0 and spec.well_ul / add * spec.top > spec.stock:
        # A weak aqueous stock: add more of it per well (up to the whole well) instead.
        add = min(spec.well_ul, lim.up(spec.well_ul * spec.top / spec.stock))
    if add > spec.well_ul:
        raise InputError(
            f"{volume_text(add)} added per well is more than the well's {volume_text(spec.well_ul)}"
        )
    lim.check(add, "adding working solution to each well")
    m = spec.well_ul / add
    per_point = max(wells, spec.control_wells) * add * (1 + lim.overage) + lim.dead_ul
    if f == 0:
        return add, m, None, per_point, 1.0
    fi = f * m
    if fi > 1:
        raise InfeasibleError(
            f"{spec.vehicle} at {_pct(f)} of {volume_text(spec.well_ul)} cannot be held when "
            f"{volume_text(add)} is added per well: the working solution would be "
            f"{_pct(fi)} {spec.vehicle}"
        )
    if direct < lim.min_ul:
        b.notes.append(
            f"{volume_text(direct)} of {spec.vehicle} per well is below the "
            f"{lim.min_ul:g} µL minimum: each point goes through an intermediate plate in "
            f"{spec.diluent} ({_pct(fi)} {spec.vehicle}), {volume_text(add)} of it per well"
        )
    d = lim.up(per_point * fi)
    return add, m, d, d, fi


_NICE = (100.0, 50.0, 20.0, 10.0, 5.0, 2.0)


def _predilute(
    spec: SerialSpec, b: _Build, need_ul: float, target: float
) -> tuple[str, float, float]:
    """(source name, its actual concentration, volume of ``target`` to make from it).

    While the stock volume would fall below the minimum, pre-dilutions in the solvent are put
    in between (1:2 to 1:100, the largest that still draws at least the minimum from its own
    source), and a note says why.  A level is never put just below the stock (a 1:1.1 step
    cannot be pipetted); more of the level under it is made instead.
    """
    lim = spec.limits
    solvent = spec.vehicle if spec.vehicle_fraction > 0 else spec.diluent
    levels: list[list[float]] = [[target, need_ul]]  # [concentration, volume to make]
    while levels[-1][1] * levels[-1][0] / spec.stock < lim.min_ul - 1e-9:
        conc = levels[-1][0]
        vol = levels[-1][1] = max(levels[-1][1], 10 * lim.min_ul)
        ratio = next((r for r in _NICE if r <= vol / lim.min_ul), 2.0)
        if conc * ratio * 2 > spec.stock:
            levels[-1][1] = lim.up(max(vol, lim.min_ul * spec.stock / conc))
            break
        levels.append([conc * ratio, vol / ratio + lim.dead_ul])
    source, actual = "stock", spec.stock
    for n, (c, made) in enumerate(reversed(levels[1:]), start=1):
        take = lim.up(made * c / actual)
        dil = lim.nearest(take * actual / c - take)
        actual = actual * take / (take + dil)
        name = f"pre-dilution {n}"
        b.add(Row(name, source, take, solvent, dil, take + dil, spec.c(actual)))
        if n == 1:
            b.notes.append(
                f"{spec.c(target)} from the {spec.c(spec.stock)} stock would take "
                f"{need_ul * target / spec.stock:.3g} µL of stock, below the {lim.min_ul:g} µL "
                f"minimum: {len(levels) - 1} pre-dilution(s) in {solvent} added"
            )
        source = name
    return source, actual, levels[0][1]


def _transfer(lim: PipetteLimits, fold1: float | tuple[float, ...], least: float) -> float:
    """The transfer volume: on the grid, at least ``least``, and such that the solvent added
    (``fold1`` × it, for each step's ``fold1``) also lands on the grid within 0.1 %, so a
    half-log series (3.16-fold) does not drift by a rounding at every step."""
    folds = fold1 if isinstance(fold1, tuple) else (fold1,)
    t0 = lim.up(least)
    best, best_err = t0, math.inf
    for k in range(200):
        t = round(t0 + k * lim.resolution_ul, 6)
        err = max(abs(lim.nearest(t * f) - t * f) / (t * (f + 1)) for f in folds)
        if err < best_err:
            best, best_err = t, err
        if err <= 0.001:
            break
    return best


def _series_top(spec: SerialSpec, b: _Build, m: float, fi: float) -> float:
    """The top point of the series: what the design says when it is within 1 % of what
    makes the top dose, else what makes it (and a note says why)."""
    if spec.intermediate is None:
        return spec.top / spec.vehicle_fraction if spec.vehicle_fraction > 0 else spec.top * m
    needed = spec.top * m / fi
    if spec.series_top is None:
        return needed
    if abs(spec.series_top / needed - 1) <= 0.01:
        return spec.series_top
    b.notes.append(
        f"the design's series top of {spec.c(spec.series_top)} would give "
        f"{spec.c(spec.series_top * fi / m)} in the top wells: the series starts at "
        f"{spec.c(needed)} so the doses are the design's"
    )
    return needed


def plan_serial(spec: SerialSpec) -> Plan:
    """The pipetting plan, or :class:`InfeasibleError` saying which number cannot be met."""
    lim = spec.limits
    f = spec.vehicle_fraction
    b = _Build(spec)
    targets = [spec.target(k) for k in range(spec.points)]
    add, m, d, consume, fi = _delivery(spec, b)
    series_top = _series_top(spec, b, m, fi)
    if series_top > spec.stock * (1 + 1e-9):
        if f > 0:
            raise InfeasibleError(
                f"holding {spec.vehicle} at {_pct(f)} needs the top point in {spec.vehicle} at "
                f"{spec.c(series_top)}, but the stock is {spec.c(spec.stock)}: the top wells "
                f"would hold {_pct(spec.top / spec.stock)} {spec.vehicle}"
            )
        raise InfeasibleError(
            f"adding {volume_text(add)} per well needs a working top of {spec.c(series_top)}, "
            f"above the stock's {spec.c(spec.stock)}; add more per well (--add)"
        )
    solvent = spec.vehicle if f > 0 else spec.diluent
    # One transfer for every step, sized by the smallest step (it leaves the least behind).
    fold1 = min((spec.step(k) for k in range(1, spec.points)), default=spec.fold) - 1
    steps = tuple(sorted({spec.step(k) - 1 for k in range(1, spec.points)})) or (fold1,)
    t = _transfer(lim, steps, max(lim.min_ul, (consume + lim.dead_ul) / fold1,
                                  lim.min_ul / fold1))
    top_need = consume + (t if spec.points > 1 else 0) + lim.dead_ul
    source, src_conc, top_need = _predilute(spec, b, top_need, series_top)
    if src_conc / series_top - 1 < 0.01:
        # Within 1 % of the top: diluting it would take a solvent volume nobody can pipette.
        take, dil = lim.up(top_need), 0.0
        b.add(Row(f"point {spec.name(0)}", source, take, "", 0.0, take, spec.c(src_conc),
                  note="use as is"))
    else:
        ratio = src_conc / series_top - 1  # solvent per volume of the source
        least = lim.min_ul / ratio  # so the solvent is ≥ the minimum
        # A take whose solvent also lands on the pipette grid: 0.7 µL + 1 µL would miss a
        # 1:2.48 dilution by 2 %; a little more of both hits it.
        take = _transfer(lim, ratio, max(top_need * series_top / src_conc, least))
        dil = lim.nearest(take * ratio)
        b.add(Row(f"point {spec.name(0)}", source, take, solvent, dil, take + dil,
                  spec.c(src_conc * take / (take + dil))))
    point = src_conc * take / (take + dil)
    series = [point]
    for k in range(1, spec.points):
        dil = lim.nearest(t * (spec.step(k) - 1))
        point = point * t / (t + dil)
        series.append(point)
        b.add(Row(f"point {spec.name(k)}", f"point {spec.name(k - 1)}", t, solvent, dil, t + dil,
                  spec.c(point)))
    finals: list[float] = []
    vehicle_pct: list[float] = []
    working: list[float] = []  # what goes into the wells, per point
    working_vehicle = 1.0 if f else 0.0
    well_rest = lim.nearest(spec.well_ul - add)
    if d is not None:
        medium = lim.nearest(d / fi - d)
        for k, c in enumerate(series):
            work = c * d / (d + medium)
            b.add(Row(f"working {spec.name(k)}", f"point {spec.name(k)}", d, spec.diluent,
                      medium, d + medium,
                      f"{spec.c(work)} ({_pct(d / (d + medium))} {spec.vehicle})"))
            finals.append(work * add / (add + well_rest))
            vehicle_pct.append((d / (d + medium) if f else 0.0) * add / (add + well_rest))
            working.append(work)
            working_vehicle = d / (d + medium) if f else 0.0
        if spec.control_wells and f:
            b.add(Row("working vehicle", spec.vehicle, d, spec.diluent, medium, d + medium,
                      _pct(d / (d + medium))))
        src = "working"
    else:
        for c in series:
            working.append(c)
            finals.append(c * add / (add + well_rest))
            vehicle_pct.append(f and add / (add + well_rest))
        src = "point"
    for k in range(spec.points):
        b.add(Row(f"wells {spec.name(k)}", f"{src} {spec.name(k)}", add,
                  f"{spec.diluent} in well", well_rest, add + well_rest, spec.c(finals[k]),
                  f"each of {spec.wells} wells", code=spec.code(k)))
    if spec.control_wells:
        control_src = (f"{src} vehicle" if d is not None and f
                       else (spec.vehicle if f else spec.diluent))
        b.add(Row("vehicle control" if f else "untreated control", control_src, add,
                  f"{spec.diluent} in well", well_rest, add + well_rest,
                  f"{_pct(vehicle_pct[0])} {spec.vehicle}" if f else "no compound",
                  f"each of {spec.control_wells} wells", code=spec.control_codes))
    if spec.names and spec.name(0) != "1":
        b.notes.insert(0, _numbering(spec))
    wells_text = (f"{volume_text(well_rest)} in the well + {volume_text(add)} added"
                  if spec.add_ul is not None else f"{volume_text(spec.well_ul)} wells")
    if spec.levels:
        b.notes.insert(0, _steps_note(spec))
    stepping = (f"series in 1:{min(spec.step(k) for k in range(1, spec.points)):.3g}–"
                f"1:{max(spec.step(k) for k in range(1, spec.points)):.3g} steps"
                if spec.levels else f"{spec.fold:g}-fold series")
    title = (f"{spec.compound}: {spec.points}-point {stepping} from "
             f"{spec.c(spec.top)}, {wells_text}"
             + (f", {spec.vehicle} {_pct(f)}" if f else ""))
    figures = {
        "unit": spec.unit,
        "targets": targets,
        "finals": finals,
        "vehicle_fraction": vehicle_pct,
        "add_ul": add,
        "min_volume_ul": min(b.volumes),
        "intermediate": d is not None,
        "working": working,
        "working_vehicle": working_vehicle,
    }
    return Plan(title, tuple(b.rows), tuple(b.notes), figures)
