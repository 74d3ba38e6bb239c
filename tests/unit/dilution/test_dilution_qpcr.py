"""qPCR plates: counts, controls, master mixes per gene, layout, and the two-plate proposal."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from elab.domain.dilution import MixComponent
from elab.domain.dilution.qpcr import (
    QpcrDoesNotFit,
    QpcrSpec,
    csv_from_qpcr,
    plan_qpcr,
    wells_needed,
)
from elab.domain.plate.wells import PlateFormat, ij_from_well
from elab.errors import InfeasibleError, InputError

SYBR = (MixComponent("SYBR Green master mix (2x)", 10.0),
        MixComponent("primers: SNAI1, ZEB1, GAPDH", 0.8), MixComponent("water", 7.2))
TEMPLATE = MixComponent("template (cDNA)", 2.0)


def spec(genes: tuple[str, ...] = ("SNAI1", "ZEB1", "GAPDH"), samples: int = 4,
         **kw: object) -> QpcrSpec:
    names = tuple(f"S{i}" for i in range(1, samples + 1))
    return QpcrSpec(genes, names, SYBR, TEMPLATE, **kw)  # type: ignore[arg-type]


def test_counts_genes_samples_replicates_ntc_and_no_rt() -> None:
    plan = plan_qpcr(spec(no_rt_genes=("GAPDH",), reference=("GAPDH",)))
    kinds = [w.kind for w in plan.wells]
    # 3 genes × 4 samples × 3 = 36; 3 NTC; 4 no-RT (GAPDH only) = 43
    assert (len(plan.wells), kinds.count("sample"), kinds.count("ntc"),
            kinds.count("no-rt")) == (43, 36, 3, 4)
    assert {w.gene for w in plan.wells if w.kind == "no-rt"} == {"GAPDH"}


def test_master_mix_per_gene_with_overage_uses_the_given_reaction() -> None:
    plan = plan_qpcr(spec(no_rt_genes=("GAPDH",)))
    mixes = {gene: mix for _, gene, mix in plan.mixes}
    assert list(mixes) == ["SNAI1", "ZEB1", "GAPDH"]
    gapdh = mixes["GAPDH"]
    assert gapdh.figures["reactions"] == 17  # 12 + 4 no-RT + 1 NTC
    volumes = {r.source: r.volume_ul for r in gapdh.rows}
    # 17 reactions + 10 % = 18.7: 187 uL mix, 14.96 -> 15 uL primers, 134.64 -> 134.6 uL water
    assert volumes["SYBR Green master mix (2x)"] == pytest.approx(187.0)
    assert volumes["primers (GAPDH)"] == pytest.approx(15.0)
    assert volumes["water"] == pytest.approx(134.6)


def test_technical_replicates_sit_side_by_side_in_one_row() -> None:
    plan = plan_qpcr(spec(genes=("A", "B"), samples=5, technical=3))
    for sample in ("S1", "S5"):
        for gene in ("A", "B"):
            cells = [ij_from_well(w.well) for w in plan.wells
                     if (w.gene, w.sample, w.kind) == (gene, sample, "sample")]
            rows = {i for i, _ in cells}
            cols = sorted(j for _, j in cells)
            assert len(rows) == 1 and cols == list(range(cols[0], cols[0] + 3))


def test_too_many_for_one_plate_is_refused_with_a_two_plate_proposal() -> None:
    big = spec(genes=("SNAI1", "ZEB1", "TWIST1", "CDH1", "GAPDH", "ACTB"), samples=6,
               no_rt_genes=("GAPDH",), reference=("GAPDH",))
    assert wells_needed(big) == 120
    with pytest.raises(QpcrDoesNotFit, match="120 reactions do not fit one 96-well plate") as e:
        plan_qpcr(big)
    proposal = e.value.proposal
    assert proposal is not None and proposal.plates == 2
    for plate in (1, 2):
        on = [w for w in proposal.wells if w.plate == plate]
        assert len(on) <= 96
        assert "GAPDH" in {w.gene for w in on}  # the reference on each plate
    targets = {g: {w.plate for w in proposal.wells if w.gene == g}
               for g in ("SNAI1", "ZEB1", "TWIST1", "CDH1", "ACTB")}
    assert all(len(p) == 1 for p in targets.values())  # each target's samples on one plate


def test_two_plates_when_asked_and_384_holds_all() -> None:
    big = spec(genes=("A", "B", "C", "D", "E", "F"), samples=6, reference=("F",))
    assert plan_qpcr(QpcrSpec(**{**big.__dict__, "plates": 2})).plates == 2
    one = plan_qpcr(QpcrSpec(**{**big.__dict__, "plate": PlateFormat(16, 24)}))
    assert one.plates == 1 and len(one.wells) == wells_needed(big)


def test_not_even_two_plates_is_refused_without_proposal() -> None:
    with pytest.raises(InfeasibleError, match="not even two plates"):
        plan_qpcr(spec(genes=("A", "B"), samples=40))


@pytest.mark.parametrize(("kw", "message"), [
    ({"no_rt_genes": ("XYZ",)}, "'XYZ'"),
    ({"technical": 0}, "at least 1"),
    ({"genes": ("A", "A")}, "listed twice"),
])
def test_bad_specs_are_one_line(kw: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        spec(**kw)


def test_layout_csv_is_spreadsheet_safe() -> None:
    plan = plan_qpcr(QpcrSpec(("=HYPERLINK",), ("S1",), SYBR, TEMPLATE, technical=1))
    text = csv_from_qpcr(plan)
    assert text.splitlines()[0] == "plate,well,condition,gene,sample,replicate,control,code"
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text


@settings(max_examples=60, deadline=None)
@given(genes=st.integers(1, 8), samples=st.integers(1, 12), technical=st.integers(2, 4),
       no_rt=st.booleans(), ntc=st.booleans(), plate=st.sampled_from([(8, 12), (16, 24)]))
def test_any_plan_places_every_reaction_once_or_refuses(  # 2+ reactions: 0.8 uL x 1.1 < 1 uL
    genes: int, samples: int, technical: int, no_rt: bool, ntc: bool, plate: tuple[int, int],
) -> None:
    names = tuple(f"G{i}" for i in range(genes))
    s = QpcrSpec(names, tuple(f"S{i}" for i in range(samples)), SYBR, TEMPLATE,
                 technical=technical, ntc=ntc, no_rt_genes=names[:1] if no_rt else (),
                 reference=names[:1], plate=PlateFormat(*plate))
    need = genes * samples * technical + (genes if ntc else 0) + (samples if no_rt else 0)
    assert wells_needed(s) == need
    try:
        plan = plan_qpcr(s)
    except QpcrDoesNotFit as exc:
        assert need > s.plate.size
        if exc.proposal is not None:
            for p in (1, 2):
                assert sum(1 for w in exc.proposal.wells if w.plate == p) <= s.plate.size
        return
    assert len(plan.wells) == need
    assert len({(w.plate, w.well) for w in plan.wells}) == need
    assert all(s.plate.contains(*ij_from_well(w.well)) for w in plan.wells)
    assert sum(mix.figures["reactions"] for _, _, mix in plan.mixes) == need
