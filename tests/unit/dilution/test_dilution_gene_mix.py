"""One master mix per gene: a component listing the genes becomes each gene's own."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from elab.domain.dilution.gene_mix import plan_gene_mixes
from elab.domain.dilution.mix import MixComponent
from elab.domain.dilution.pipette import PipetteLimits

NAMES = ["SNAI1", "ZEB1", "TWIST1", "CDH1", "GAPDH", "ACTB", "VIM", "FN1"]


@given(genes=st.lists(st.sampled_from(NAMES), min_size=2, max_size=8, unique=True),
       counts=st.lists(st.integers(1, 60), min_size=8, max_size=8))
def test_each_mix_holds_one_gene_only(genes: list[str], counts: list[int]) -> None:
    components = (MixComponent("SYBR Green master mix (2x)", 10.0),
                  MixComponent(f"primers: {', '.join(genes)}", 0.8),
                  MixComponent("nuclease-free water", 7.2))
    reactions = dict(zip(genes, counts, strict=False))
    mixes = plan_gene_mixes(components, reactions, PipetteLimits(min_ul=0.1),
                            MixComponent("template (cDNA)", 2.0))
    assert [m.gene for m in mixes] == genes
    for m in mixes:
        named = {g for row in m.plan.rows for g in genes if g in row.source}
        assert named == {m.gene}
        assert m.reactions == reactions[m.gene]
        assert m.plan.figures["reactions"] == reactions[m.gene]
