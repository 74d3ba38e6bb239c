"""extends: and include: make one protocol from another without copying it."""

from __future__ import annotations

from pathlib import Path

from elab.domain.protocol import StepGraph, load_document, load_protocol

DATA = Path(__file__).parent / "data"


def test_extends_inserts_a_stage_before_the_named_step() -> None:
    protocol = load_protocol(DATA / "child.yaml", library=[DATA])
    assert [s.id for s in protocol.steps] == ["coat", "seed", "incubate", "read"]
    assert protocol.title == "Child assay with a coating stage"
    assert protocol.version == "1.0"  # inherited
    assert "incubation" in protocol.parameters
    graph = StepGraph(protocol)
    assert [e.pred for e in graph.preds["seed"]] == ["coat"]


def test_errors_in_an_extended_parent_point_into_the_parent(tmp_path: Path) -> None:
    (tmp_path / "parent.yaml").write_text(
        'id: parent\ntitle: P\nversion: "1"\nsteps:\n  - {id: a, title: A, hands_on: 3 parsnips}\n'
    )
    (tmp_path / "kid.yaml").write_text("id: kid\nextends: parent\nsteps:\n  - {id: b, title: B}\n")
    from elab.errors import ProtocolErrors

    try:
        load_protocol(tmp_path / "kid.yaml")
    except ProtocolErrors as exc:
        assert str(exc.errors[0]).startswith(f"{tmp_path / 'parent.yaml'}:5:")
    else:
        raise AssertionError("expected an error")


def test_include_adds_prefixed_steps_after_the_anchor() -> None:
    protocol = load_protocol(DATA / "includer.yaml", library=[DATA])
    ids = [s.id for s in protocol.steps]
    assert ids == ["prep", "base.seed", "base.incubate", "base.read"]
    graph = StepGraph(protocol)
    assert [e.pred for e in graph.preds["base.seed"]] == ["prep"]
    assert "medium" in protocol.materials


def test_resolved_content_and_hash_are_stable() -> None:
    first = load_document(DATA / "child.yaml", library=[DATA])
    second = load_document(DATA / "child.yaml", library=[DATA])
    assert first.sha256 == second.sha256
    assert len(first.sha256) == 64
    assert "extends" not in first.content
    assert [s["id"] for s in first.content["steps"]] == ["coat", "seed", "incubate", "read"]
