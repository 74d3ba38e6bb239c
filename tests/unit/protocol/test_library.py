"""The protocol library: every file validates, and its times match a hand computation.

Each expected value is worked out by hand from the protocol file (shown in the comment):
a step takes its hands-on time plus its passive time (repeats multiply both; programs sum
their stages × cycles; time-lapses and regimens span their period), and the protocol takes
the longest path through its `after:` graph, a window counting as the gap before the step.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from elab.domain.protocol import StepGraph, load_protocol

PROTOCOLS = Path(__file__).resolve().parents[3] / "protocols"
MIN = 60.0

# id: (variant, minimum in minutes, maximum in minutes or None when open, hands-on minutes)
EXPECTED: dict[str, tuple[str | None, float, float | None, float]] = {
    # 15 + 5 + 15 + 30 + 10; hands-on 15 + 5 + 15 + 10
    "bca-assay": (None, 75, 75, 45),
    # 30 + overnight 720..1080 + window 0..600 + 30 + 96 h 5760 + 10 + MTT 120..240
    # + (15 + 10..15) + 10; hands-on 30 + 30 + 10 + 15 + 10
    "mtt-viability": (None, 6705, 7790, 95),
    # 20 + 48 h + 2×2 + (10+30) + 15 + (20+30) + (20+5) + (15+45) + (15+60) + 60
    # + (10+720) + 3×10 + (5+60) + 3×10 + 10 (ECL until clear: open)
    # + strip-c (15 + 60..90) + reprobe-fak (30 + 720) + 30
    "western-blot-emt": (None, 4949, None, 204),
    # pretreat 15 + 24 h ∥ rehydrate 10 + ≥1 h (open) + 10; harvest 20; seed 15;
    # migrate 16 h; wipe 10; fix 15; wash-fixative 2×2; stain 5 + 20; wash-dry 10 + 30;
    # count 45; hands-on adds viability-plate 10 and read-viability 20 (parallel branch)
    "transwell-migration": (None, 2589, None, 174),
    # as transwell, migration 24 h; the coating branch (5 + 12 h + 10 + 15 + 30 + 70 + 10)
    # ends before the pre-treatment branch (15 + 24 h + 20); wash-fixative 2×2, and the
    # viability plate's 10 + 20 hands-on as in transwell
    "matrigel-invasion": (None, 3069, None, 204),
    # 20 + 48 h; 45 + 15; 15; 20 + (10 + 120 + 5) + 1; 15 + 10 + 40 × (0.25 + 1); 10
    "qrt-pcr-emt": (None, 3216, 3216, 125),
    # 20 + 48 h; 5; 15; 3×5; 10; 3×5; 30..60; 15 + 720..1080; 3×5; 10 + 60; DAPI 5; 3×5;
    # 20; 60
    "immunofluorescence-ecad": (None, 3910, 4300, 130),
    # 30 + 720 + 30 + the 48 h arm (2880 + lyse 30 + spin 15 + store 10) + 50 + 25 + 60
    # + 75 + 60 + 730 + 15 + 60 + 15 + 10 (open) + strip (5 + 15) + check-strip (15 + 60)
    # + 60 + 730 + 15 + 60 + 15 + 10 + 30; hands-on counts lyse and store once per arm:
    # 3 × (30 + 10)
    "western-blot-pfak": (None, 5830, None, 340),
    # 20 + 24 h + mitomycin (10 + 2 h) + 15 + 2×3 + 10 + 15 + 2..6 h + 24..48 h + 60,
    # windows of 0..15 min twice; the first image 2..6 h after time 0, then every ≤ 6 h:
    # 5 × 10 min hands-on
    "wound-healing": (None, 3256, 4966, 186),
    # 40 + 12..18 h + window 0..8 h + 45 + 72..96 h + 20
    "combination-synergy": (None, 5145, 7425, 105),
    # 45 + implant 60..90 (window 0..60) + 7..21 d + 60 + 21 d + 180 + 30; hands-on adds
    # 2 × 42 BID doses × 30 (drug, oral vehicle) + 2 × 3 weekly × 30 (drug, i.p. vehicle)
    # + caliper shots every 2.3-3.5 d through 21 d (21 / 3.5 + 1 = 7) × 45
    "xenograft-combination": (None, 40695, 60945, 3390),
    # 120 + 15 + 6 × 28 d (every regimen, the scans at weeks 8, 16, 24 of it) + 30, at most
    # 1 d (screening to BSA) + 28 d (BSA to cycle 1 day 1) more;
    # hands-on 120 + 15 + 30 + 6
    # toxicity visits × 30 + 18 blood counts × 30 + 18 × (1 h gemcitabine + 2 h
    # nab-paclitaxel) + 3 scans × 1 h; the infusions follow the blood counts dose by dose
    # (within 1 d) and gemcitabine follows nab-paclitaxel (within 30 min): at most 1 d 30 min
    # more, the regimens running alongside each other, not one after the other
    "clinical-combination-regimen": (None, 242085, 285315, 4305),
    # 2×5 + 4×3 + 2 + (10 + 20) + 20 + 2×5 + 10 + 3×5 + 30 + (15 + 720) + 3×5 + (10 + 60)
    # + 3×5 + 5 (DAB, open) + 2×2 + 1 + bluing 5 + (5 + 15) + 15 + 60
    "ihc-fak": (None, 1084, None, 122),
    # 15 + 30..45 + (10 + 5) + 5 + 10 + viability (10 + 15) + Fc block (5 + 10) + (20 + 30)
    # + (10 + 30..60) + (10 + 30) + 60..120 + 60; hands-on adds 15 for the beads (parallel)
    "flow-cytometry-til": (None, 365, 470, 225),
}


def test_the_library_has_every_seed_procedure() -> None:
    found = {p.stem for p in PROTOCOLS.glob("*.yaml")}
    assert set(EXPECTED) <= found
    assert len(found) >= 14


@pytest.mark.parametrize("path", sorted(PROTOCOLS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_library_protocol_validates_and_names_its_source(path: Path) -> None:
    protocol = load_protocol(path, library=[PROTOCOLS])
    assert protocol.id == path.stem
    assert protocol.source and ".txt" in protocol.source
    assert path.read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=protocol.schema.json"
    )


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_computed_times_match_the_hand_computation(name: str) -> None:
    variant, low, high, hands_on = EXPECTED[name]
    protocol = load_protocol(PROTOCOLS / f"{name}.yaml", library=[PROTOCOLS])
    timing = StepGraph(protocol, variant).timing()
    assert timing.min_s == pytest.approx(low * MIN)
    if high is None:
        assert timing.max_s is None
    else:
        assert timing.max_s == pytest.approx(high * MIN)
    assert timing.hands_on_s == pytest.approx(hands_on * MIN)


def test_variants_change_the_time() -> None:
    qpcr = load_protocol(PROTOCOLS / "qrt-pcr-emt.yaml")
    # the SYBR mix (30) and its melt curve (5 + 0.25 + 1 + 15)
    assert StepGraph(qpcr, "sybr").timing().min_s == (3216 + 30 + 21.25) * MIN
    synergy = load_protocol(PROTOCOLS / "combination-synergy.yaml")
    # MTT 10 + 120; the medium removed and DMSO added 10, the formazan dissolving 10-15
    # (review 14, R13); the read 10
    assert StepGraph(synergy, "mtt").timing().min_s == (5145 + 130 + 20 + 10) * MIN


def test_the_flow_panel_uses_each_fluorochrome_once_and_each_detector_once() -> None:
    from elab.domain.protocol.science.spectra import fluorochrome_table

    flow = load_protocol(PROTOCOLS / "flow-cytometry-til.yaml")
    fluors = [m.fluorochrome for m in flow.materials.values() if m.fluorochrome]
    assert len(fluors) == 9 == len(set(fluors))  # the guide's 8 markers and a viability dye
    table = fluorochrome_table()
    detectors = [table.find(f).detectors[flow.cytometer or ""] for f in fluors]  # type: ignore[union-attr]
    assert len(set(detectors)) == 9


def test_both_transwell_guides_numbers_are_kept() -> None:
    transwell = load_protocol(PROTOCOLS / "transwell-migration.yaml")
    cells = transwell.parameters["cells_per_insert"]
    assert cells.range is not None and (cells.range.low, cells.range.high) == (2.5e4, 1e5)
    assert "1e5 cells in 100 uL" in (cells.description or "")
    longer = load_protocol(
        PROTOCOLS / "transwell-migration.yaml", params={"migration_time": "12-48 h"}
    )
    assert StepGraph(longer).timing().min_s == (2589 - 16 * 60 + 12 * 60) * MIN


def test_the_clinical_infusions_follow_the_mpact_order() -> None:
    # MPACT (Von Hoff et al. 2013) gives nab-paclitaxel first, then gemcitabine at once.
    protocol = load_protocol(PROTOCOLS / "clinical-combination-regimen.yaml")
    order = [step.id for step in protocol.steps]
    assert order.index("nab-paclitaxel") < order.index("gemcitabine")
    assert "Von Hoff" in (protocol.step("nab-paclitaxel").text or "")


def test_a_time_lapse_counts_its_most_images_in_the_hands_on_range() -> None:
    """Review 14, R14: imaging every 2-6 h for 24-48 h is 24 / 6 + 1 = 5 to 48 / 2 + 1 = 25
    images of 10 min: 50 min to 4 h 10 min, so wound-healing's 186 min of hands-on reaches
    186 - 50 + 250 = 386 min (6 h 26 min); a run that fixes 2 h for 48 h has 250 min."""
    wound = load_protocol(PROTOCOLS / "wound-healing.yaml")
    timing = StepGraph(wound).timing()
    lapse = timing.steps["time-lapse"]
    assert (lapse.hands_on_s, lapse.hands_on_max_s) == (50 * MIN, 250 * MIN)
    assert (timing.hands_on_s, timing.hands_on_max_s) == (186 * MIN, 386 * MIN)
    assert timing.hands_on_text == "3 h 6 min–6 h 26 min"
    fixed = load_protocol(PROTOCOLS / "wound-healing.yaml",
                          {"image_interval": "2 h", "imaging_time": "48 h"})
    step = StepGraph(fixed).timing().steps["time-lapse"]
    assert (step.hands_on_s, step.hands_on_max_s) == (250 * MIN, 250 * MIN)
    assert step.hands_on_text == "4 h 10 min"
