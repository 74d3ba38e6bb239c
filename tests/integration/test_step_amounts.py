"""One experiment, one set of numbers: every amount `elab show` counts at a step is on the
run screen, the bench sheet and the record of that step (review 13, items 5 and 7).

The run screen and the bench sheet once said 2.376 mL of medium at the MTT seeding step,
`elab show` 5.94 mL (the 36 edge wells filled with medium too): medium made from the screen
was 40 % short.  The record said "defactinib: 10 µL per well", read as 10 µL of the 100 mM
stock, where the well gets 10 µL of the 1:100 dilution in medium.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest
from cli_calls import run

from elab.services.bench_sheet import step_sheet
from elab.services.record_source import ServiceRunSource
from elab.services.records import render_record
from elab.services.runs import RunService
from elab.tui.text import step_detail

LIBRARY = sorted(p.stem for p in (Path(__file__).resolve().parents[2] / "protocols").glob(
    "*.yaml"))
# a variant's steps change what is counted (its reading step, its master mix)
ARMS = [(p, None) for p in LIBRARY] + [
    ("combination-synergy", "celltiter-glo"), ("combination-synergy", "mtt"),
    ("qrt-pcr-emt", "sybr"), ("qrt-pcr-emt", "taqman")]


def flat(text: str) -> str:
    return " ".join(text.split())


def show_lines(protocol: str, variant: str | None,
               capsys: pytest.CaptureFixture[str]) -> dict[str, list[str]]:
    """`elab show PROTOCOL`'s material lines by step (``seed: 90 µL × 24 wells ...``)."""
    arm = ["--variant", variant] if variant else []
    code, out, err = run(["show", protocol, "--format", "json", *arm], capsys)
    assert code == 0, err
    by_step: dict[str, list[str]] = defaultdict(list)
    for material in json.loads(out)["materials"]:
        for line in material["lines"]:
            step, _, amount = line.partition(": ")
            by_step[step].append(flat(amount))
    return by_step


@pytest.mark.parametrize(("protocol", "variant"), ARMS)
def test_every_view_of_a_step_shows_the_amounts_of_elab_show(
        service: RunService, protocol: str, variant: str | None,
        capsys: pytest.CaptureFixture[str]) -> None:
    expected = show_lines(protocol, variant, capsys)
    run_id = service.start(protocol, variant=variant)
    state = service.state(run_id)
    _, record = render_record(run_id, "md", source=ServiceRunSource(service))
    conditions = {s.id: flat(" ".join(s.conditions)) for s in record.steps}
    for step, lines in expected.items():
        screen = flat(step_detail(state, step).plain)
        sheet = flat(" ".join(amount for _, amount in step_sheet(state, step).materials))
        for line in lines:
            assert line in screen, f"{protocol} {step}: run screen lacks {line!r}"
            assert line in sheet, f"{protocol} {step}: bench sheet lacks {line!r}"
            assert line in conditions[step], f"{protocol} {step}: record lacks {line!r}"


def test_the_mtt_seeding_step_counts_the_edge_wells_medium(service: RunService) -> None:
    state = service.state(service.start("mtt-viability"))
    sheet = dict(step_sheet(state, "seed").materials[:2])
    assert sheet["complete culture medium"] == "5.94 mL in all"  # 2.376 + 3.564 mL
    screen = flat(step_detail(state, "seed").plain)
    assert "complete culture medium: 5.94 mL in all" in screen
    assert "90 µL × 36 edge wells filled with medium" in screen


def test_the_mtt_record_says_what_the_wells_get(service: RunService) -> None:
    run_id = service.start("mtt-viability")
    source = ServiceRunSource(service)
    md = flat(render_record(run_id, "md", source=source)[0].decode())
    html = flat(render_record(run_id, "html", source=source)[0].decode())
    said = ("defactinib (VS-6063) (defactinib): 10 µL of the dose series (1:100 in medium) "
            "× 18 wells + 10 % overage = 198 µL")
    assert said in md and said in html
    assert "(defactinib): 10 µL per well" not in md
    assert "complete culture medium (medium): 5.94 mL in all: 90 µL × 24 wells" in md
    # the blank wells' medium keeps who does not get it
    assert "10 µL × 3 wells + 10 % overage = 33 µL, not for 0.032 uM" in md


@pytest.mark.parametrize(("variant", "step", "pair"), [
    ("sybr", "mix-sybr", "primers"), ("taqman", "mix-taqman", "taqman_assay")])
def test_qpcr_mix_step_says_one_mix_per_gene(variant: str, step: str, pair: str) -> None:
    """The run screen, bench sheet and record read these lines: the primer pairs (assays)
    are never one mix (with SYBR Green a six-plex, every Ct meaningless)."""
    from elab.domain.protocol import load_protocol
    from elab.domain.protocol.amounts import step_materials

    root = Path(__file__).resolve().parents[2]
    protocol = load_protocol(root / "protocols" / "qrt-pcr-emt.yaml")
    lines = {m.material: m.headline for m in step_materials(protocol, step, variant)}
    assert "one pair per gene, each in its own mix, never two together" in lines[pair]
    assert all("(SNAI1 7, ZEB1 7, TWIST1 7, CDH1 7, GAPDH 13, ACTB 13 reactions)" in line
               for line in lines.values())
