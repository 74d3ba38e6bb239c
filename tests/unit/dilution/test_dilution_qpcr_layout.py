"""A qPCR design's plate (the one `elab plate layout`, `elab dilute qpcr` and the run screen
share): every RNA gets a well with every gene, no well is used twice, each gene has its NTC,
the no-RTs go with the genes the design names, and `elab show`'s reactions per gene (the
mixes) are the wells of each gene, for any design that fits the plate."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from elab.domain.dilution.gene_mix import gene_reactions
from elab.domain.dilution.qpcr_layout import qpcr_layout
from elab.domain.protocol import protocol_from_tree
from elab.domain.protocol.yamlsource import load_yaml

QPCR = (Path(__file__).resolve().parents[3] / "elab" / "protocols" /
        "qrt-pcr-emt.yaml").read_text(encoding="utf-8")
DESIGN = """    - {name: treatment, levels: [vehicle, defactinib]}
    - {name: gene, levels: [SNAI1, ZEB1, TWIST1, CDH1, GAPDH, ACTB]}
  replicates: 3
  controls:
    - {name: no-template, kind: negative, count: 6}
    - {name: no-RT, kind: negative, count: 12, note: each RNA's no-RT with GAPDH and ACTB}
"""
TARGETS = ["SNAI1", "ZEB1", "TWIST1", "CDH1", "VIM", "FN1"]


def protocol(treatments: list[str], genes: list[str], replicates: int,
             no_rt: list[str]) -> object:
    samples = len(treatments) * replicates
    design = (f"    - {{name: treatment, levels: [{', '.join(treatments)}]}}\n"
              f"    - {{name: gene, levels: [{', '.join(genes)}]}}\n"
              f"  replicates: {replicates}\n  controls:\n"
              f"    - {{name: no-template, kind: negative, count: {len(genes)}}}\n"
              f"    - {{name: no-RT, kind: negative, count: {samples * len(no_rt)}, "
              f"note: each RNA's no-RT with {' and '.join(no_rt)}}}\n")
    assert DESIGN in QPCR
    text = QPCR.replace(DESIGN, design).replace("control: vehicle}", f"control: {treatments[0]}}}")
    return protocol_from_tree(load_yaml(text, "q.yaml"), "q.yaml")


@settings(max_examples=40, deadline=None)
@given(treatments=st.lists(st.sampled_from(["vehicle", "defactinib", "TGFb", "both"]),
                           min_size=1, max_size=3, unique=True),
       targets=st.lists(st.sampled_from(TARGETS), min_size=1, max_size=5, unique=True),
       replicates=st.integers(1, 4), actb=st.booleans())
def test_every_rna_gets_a_well_per_gene_and_no_well_twice(
    treatments: list[str], targets: list[str], replicates: int, actb: bool,
) -> None:
    genes = [*targets, "GAPDH", *(["ACTB"] if actb else [])]
    no_rt = ["GAPDH", "ACTB"] if actb else ["GAPDH"]
    rnas = [f"{t}-{r}" for t in treatments for r in range(1, replicates + 1)]
    assume(len(rnas) * (len(genes) + len(no_rt)) + len(genes) <= 96)
    loaded = protocol(treatments, genes, replicates, no_rt)
    layout = qpcr_layout(loaded, "sybr")
    assert layout is not None
    wells = [(p.plate, p.well) for p in layout]
    assert len(wells) == len(set(wells))
    levels = [(p.kind, dict(p.levels)) for p in layout]
    assert Counter((lv["gene"], lv["sample"]) for kind, lv in levels if kind == "sample") == \
        Counter((g, r) for g in genes for r in rnas)
    assert Counter(lv["gene"] for kind, lv in levels if kind == "ntc") == Counter(genes)
    assert Counter((lv["gene"], lv["sample"]) for kind, lv in levels if kind == "no-rt") == \
        Counter((g, r) for g in no_rt for r in rnas)
    for kind, lv in levels:  # the treatment column names the RNA's arm
        assert kind == "ntc" or lv["sample"].startswith(f"{lv['treatment']}-")
    assert Counter(dict(p.levels)["gene"] for p in layout) == gene_reactions(loaded)
