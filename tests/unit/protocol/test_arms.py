"""Arms: ``for_each: FACTOR`` copies a step per level, ``$FACTOR`` takes the level."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from elab.domain.protocol import (
    StepGraph,
    load_document,
    load_protocol,
    protocol_from_content,
)
from elab.domain.protocol.arms import arm_id, level_slug, written_id
from elab.domain.protocol.describe import scaled_use
from elab.domain.protocol.fields import ID_PATTERN
from elab.domain.protocol.yamlsource import load_yaml
from elab.errors import ProtocolErrors

MIN = 60.0
H = 3600.0

HEAD = """id: t
title: T
version: "1"
materials:
  ripa: {name: RIPA}
design:
  factors:
    - {name: dose, levels: [1 nM, 10 nM]}
    - {name: time, levels: [3 h, 24 h, 48 h]}
  replicates: 2
  stagger: STAGGER
steps:
"""

HARVEST = HEAD.replace("STAGGER", "harvest") + """\
  - {id: seed, title: Seed, hands_on: 20 min}
  - id: treat
    title: Treat
    hands_on: 10 min
  - id: exposure
    title: Exposure for $time
    text: Leave the $time wells in the incubator.
    for_each: time
    incubate: {duration: $time}
  - id: lyse
    title: Lyse
    for_each: time
    hands_on: 30 min
    uses:
      - {material: ripa, volume: 100 uL, per: well}
  - id: bca
    title: BCA
    hands_on: 20 min
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def errors_of(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(ProtocolErrors) as caught:
        load_protocol(write(tmp_path, text))
    return [str(e) for e in caught.value.errors]


def test_harvest_arms_start_together_and_join_after_their_own_harvest(tmp_path: Path) -> None:
    protocol = load_protocol(write(tmp_path, HARVEST))
    ids = [s.id for s in protocol.steps]
    assert ids == ["seed", "treat", "exposure.3h", "exposure.24h", "exposure.48h",
                   "lyse.3h", "lyse.24h", "lyse.48h", "bca"]
    graph = StepGraph(protocol)
    assert {e.pred for e in graph.preds["exposure.48h"]} == {"treat"}
    assert [e.pred for e in graph.preds["lyse.24h"]] == ["exposure.24h"]
    assert [e.pred for e in graph.preds["bca"]] == ["lyse.3h", "lyse.24h", "lyse.48h"]
    exposure = protocol.step("exposure.48h")
    assert exposure.incubate is not None
    assert exposure.incubate.duration.seconds() == (48 * H, 48 * H)
    assert exposure.title == "Exposure for 48 h"
    assert exposure.text == "Leave the 48 h wells in the incubator."
    assert (exposure.for_each, exposure.arm) == ("time", "48 h")
    # a title without $time names its level
    assert protocol.step("lyse.3h").title == "Lyse (time 3 h)"
    timing = graph.timing()
    assert timing.min_s == (20 + 10) * MIN + 48 * H + (30 + 20) * MIN
    assert timing.critical_path == ["seed", "treat", "exposure.48h", "lyse.48h", "bca"]
    assert timing.hands_on_s == (20 + 10 + 3 * 30 + 20) * MIN


def test_a_per_well_use_in_an_arm_counts_only_the_wells_of_its_level(tmp_path: Path) -> None:
    protocol = load_protocol(write(tmp_path, HARVEST))
    use = protocol.step("lyse.24h").uses[0]
    total, shown = scaled_use(use, protocol)
    # 2 doses × 2 replicates at 24 h, not the 12 wells of the whole design
    assert total is not None and total.planned == pytest.approx(400)
    assert "× 4 samples" in shown


def test_staggered_treatments_chain_each_arm_and_harvest_together(tmp_path: Path) -> None:
    text = HEAD.replace("STAGGER", "treatment") + """\
  - {id: seed, title: Seed, hands_on: 20 min}
  - {id: treat, title: Treat, for_each: time, after: [{step: seed, window: 0-72 h}],
     hands_on: 10 min}
  - {id: exposure, title: Exposure, for_each: time, incubate: {duration: $time}}
  - {id: lyse, title: Lyse all, hands_on: 30 min}
"""
    protocol = load_protocol(write(tmp_path, text))
    graph = StepGraph(protocol)
    windows = graph.preds["treat.24h"]
    assert [(e.pred, e.gap is not None and e.gap.seconds()) for e in windows] == [
        ("seed", (0.0, 72 * H))]
    assert [e.pred for e in graph.preds["exposure.3h"]] == ["treat.3h"]
    assert [e.pred for e in graph.preds["lyse"]] == ["exposure.3h", "exposure.24h",
                                                    "exposure.48h"]


def test_the_stored_document_holds_the_arms_and_reloads_to_the_same_steps(
        tmp_path: Path) -> None:
    document = load_document(write(tmp_path, HARVEST))
    ids = [s["id"] for s in document.content["steps"]]
    assert "exposure.24h" in ids and "exposure" not in ids
    again = protocol_from_content(document.content)
    assert again == load_protocol(write(tmp_path, HARVEST))


def test_bare_levels_take_the_factors_unit(tmp_path: Path) -> None:
    text = HARVEST.replace("levels: [3 h, 24 h, 48 h]", "levels: [3, 24, 48], unit: h")
    protocol = load_protocol(write(tmp_path, text))
    assert protocol.step("exposure.24h").arm == "24 h"


@pytest.mark.parametrize(("change", "message", "marker"), [
    (("for_each: time\n    incubate", "for_each: tim\n    incubate"),
     "for_each: unknown design factor 'tim' (did you mean 'time'?)", "for_each: tim\n"),
    (("incubate: {duration: $time}", "incubate: {duration: $time}\n    for_each: dose"),
     "$time is a design factor: step 'exposure' needs for_each: time", "Exposure for $time"),
    (("title: Treat\n", "title: Treat\n    arm: 3 h\n"),
     "arm: is the level of a copy the loader makes", "arm: 3 h"),
    (("  stagger: harvest\n", ""), "the design must say stagger: harvest",
     "for_each: time\n    incubate"),
    (("title: Lyse\n    for_each: time", "title: Lyse"),
     "the step after 'exposure' needs for_each: time too", "for_each: time\n    incubate"),
    (("title: Treat\n", "title: Treat\n    for_each: time\n"),
     "but 'treat' before 'exposure' is for_each: time", "for_each: time\n    incubate"),
    (("{duration: $time}", "{duration: $dose}\n    for_each: dose"),
     "level '1 nM' is not a duration, but step 'exposure' takes its duration from $dose",
     "{duration: $dose}"),
])
def test_arm_mistakes_are_located_errors(tmp_path: Path, change: tuple[str, str],
                                         message: str, marker: str) -> None:
    old, new = change
    assert old in HARVEST
    text = HARVEST.replace(old, new, 1)
    if "for_each: dose" in new:
        text = text.replace("    for_each: time\n    incubate", "    incubate", 1)
    errors = errors_of(tmp_path, text)
    hit = [e for e in errors if message in e]
    assert hit, errors
    line = text[: text.index(marker)].count("\n") + 1
    assert re.match(rf"^.*t\.yaml:{line}:\d+: ", hit[0]), hit[0]


def test_treatment_stagger_needs_the_treatment_in_the_arm(tmp_path: Path) -> None:
    errors = errors_of(tmp_path, HARVEST.replace("stagger: harvest", "stagger: treatment"))
    assert any("the step before 'exposure' needs for_each: time too" in e for e in errors)
    assert any("but 'lyse' after 'exposure' is for_each: time" in e for e in errors)


def test_an_arm_after_a_variant_step_needs_an_explicit_after(tmp_path: Path) -> None:
    text = HARVEST.replace("title: Treat\n", "title: Treat\n    variant: long\n").replace(
        "version: \"1\"\n", "version: \"1\"\nvariants: {long: a longer treatment}\n")
    errors = errors_of(tmp_path, text)
    assert any("give it an after:" in e for e in errors)


def test_levels_that_give_the_same_id_are_refused(tmp_path: Path) -> None:
    text = HARVEST.replace("[3 h, 24 h, 48 h]", "[3 h, 3h, 48 h]")
    assert any("do not give distinct step ids" in e for e in errors_of(tmp_path, text))


@settings(max_examples=40, deadline=None)
@given(hours=st.lists(st.integers(min_value=1, max_value=240), min_size=1, max_size=6,
                      unique=True),
       stagger=st.sampled_from(["harvest", "treatment"]))
def test_every_arm_is_a_branch_as_long_as_its_level(hours: list[int], stagger: str) -> None:
    levels = ", ".join(f"{h} h" for h in hours)
    arm_treat = "\n    for_each: time" if stagger == "treatment" else ""
    arm_lyse = "\n    for_each: time" if stagger == "harvest" else ""
    text = f"""id: t
title: T
version: "1"
design:
  factors: [{{name: time, levels: [{levels}]}}]
  stagger: {stagger}
steps:
  - id: treat
    title: Treat{arm_treat}
    hands_on: 10 min
  - id: exposure
    title: Exposure for $time
    for_each: time
    incubate: {{duration: $time}}
  - id: lyse
    title: Lyse{arm_lyse}
    hands_on: 30 min
"""
    protocol = protocol_from_content(load_yaml(text, "t.yaml"))
    graph = StepGraph(protocol)
    for h in hours:
        step = protocol.step(f"exposure.{h}h")
        assert re.match(ID_PATTERN, step.id)
        assert step.incubate is not None
        assert step.incubate.duration.seconds() == (h * H, h * H)
        assert step.title == f"Exposure for {h} h"
    per_arm = 1 + 1  # exposure and the one arm step beside it
    assert len(protocol.steps) == 1 + per_arm * len(hours)
    assert graph.timing().min_s == (10 + 30) * MIN + max(hours) * H
    lyses = [s.id for s in protocol.steps if s.id.startswith("lyse")]
    assert len(lyses) == (len(hours) if stagger == "harvest" else 1)


def test_the_pfak_arms_lyse_their_own_wells_and_all_45_together() -> None:
    library = Path(__file__).resolve().parents[3] / "protocols"
    protocol = load_protocol(library / "western-blot-pfak.yaml", library=[library])
    totals = []
    for hours in (3, 24, 48):
        ripa = protocol.step(f"lyse.{hours}h").uses[1]
        total, shown = scaled_use(ripa, protocol)
        # 4 doses × 3 replicates at this time point + its own 3 DMSO wells
        assert "× 15 wells" in shown
        assert total is not None
        totals.append(total.planned)
    assert sum(totals) == pytest.approx(45 * 150)


def test_a_mistake_in_an_arm_step_is_reported_once_at_its_line(tmp_path: Path) -> None:
    text = HARVEST.replace("{duration: $time}", "{duration: $time, temperature: 5 kg}")
    errors = errors_of(tmp_path, text)
    line = text[: text.index("5 kg")].count("\n") + 1
    assert [e for e in errors if "not a temperature" in e] == [
        f"{tmp_path / 't.yaml'}:{line}:{text.splitlines()[line - 1].index('5 kg') + 1}: "
        "'5 kg' is not a temperature (a mass)"]


@given(level=st.text(max_size=30))
def test_any_level_gives_a_valid_step_id(level: str) -> None:
    assert re.match(ID_PATTERN, level_slug(level))
    assert re.match(ID_PATTERN, arm_id("exposure", level))
    assert arm_id("exposure", level).startswith("exposure.")
    assert written_id(arm_id("exposure", level), level) == "exposure"
