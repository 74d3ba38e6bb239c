"""western-blot-emt asks for the columns its densitometry needs: ``membrane`` among them.

Membranes A and B each carry a β-actin band and are exported together as ``bands``; the
hook divides each target by the β-actin of its own membrane, and without a ``membrane``
column a lane has two β-actin bands and every target gets null with a reason.  The protocol
declares its export columns nowhere but in the quantify step's words, so those are read.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import elab
from elab.domain.analysis.registry import load_hook
from elab.domain.analysis.table import read_table
from elab.domain.protocol import Protocol, load_protocol

PROTOCOL = Path(elab.__file__).parent / "protocols" / "western-blot-emt.yaml"


@pytest.fixture(scope="module")
def protocol() -> Protocol:
    return load_protocol(PROTOCOL)


def export_columns(protocol: Protocol) -> list[str]:
    """The columns the quantify step says to export: ``Export a, b, c as CSV``."""
    text = " ".join((protocol.step("quantify").text or "").split())
    found = re.search(r"Export (.+?) as CSV", text)
    assert found is not None, text
    return [c.strip() for c in found.group(1).split(",")]


def test_the_quantify_step_asks_for_every_column_the_hook_reads(protocol: Protocol) -> None:
    columns = export_columns(protocol)
    assert "membrane" in columns
    hook = load_hook("densitometry")
    assert {c.name for c in hook.inputs if not c.optional} <= set(columns)
    assert set(columns) <= {c.name for c in hook.inputs}


def test_an_export_as_the_step_asks_gives_every_target_a_ratio(protocol: Protocol) -> None:
    """Bands of membranes A and B as the step asks, analysed with the protocol's own
    parameters: each target over its own membrane's β-actin (1000 / 2000 on A, not / 3000)."""
    columns = export_columns(protocol)
    bands = [  # lane, condition, membrane, target, intensity
        ("1", "vehicle", "A", "E-cadherin", 1000), ("1", "vehicle", "A", "vimentin", 800),
        ("1", "vehicle", "A", "beta-actin", 2000), ("1", "vehicle", "B", "N-cadherin", 900),
        ("1", "vehicle", "B", "beta-actin", 1000),
        ("2", "defactinib", "A", "E-cadherin", 1500), ("2", "defactinib", "A", "vimentin", 400),
        ("2", "defactinib", "A", "beta-actin", 2000), ("2", "defactinib", "B", "N-cadherin", 600),
        ("2", "defactinib", "B", "beta-actin", 1000)]
    order = ["lane", "condition", "membrane", "target", "intensity"]
    rows = [",".join(columns)] + [
        ",".join(str(band[order.index(c)]) for c in columns) for band in bands]
    (entry,) = [a for a in protocol.analysis if a.input == "bands"]
    result = load_hook(entry.hook).run(read_table("\n".join(rows) + "\n"), entry.params)
    ratios = {(r["lane"], r["target"]): r["ratio"] for r in result.results
              if r["kind"] == "lane"}
    assert ratios[("1", "E-cadherin")] == pytest.approx(0.5)
    assert ratios[("2", "N-cadherin")] == pytest.approx(0.6)
    relative = {r["target"]: r["relative"] for r in result.results
                if r["kind"] == "condition" and r["condition"] == "defactinib"}
    assert {t: v["mean"] for t, v in relative.items()} == pytest.approx(
        {"E-cadherin": 1.5, "vimentin": 0.5, "N-cadherin": 600 / 900})
