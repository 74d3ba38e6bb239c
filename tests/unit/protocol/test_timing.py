"""Step and protocol durations, hands-on time and the critical path."""

from __future__ import annotations

from pathlib import Path

from elab.domain.protocol import StepGraph, load_protocol

DATA = Path(__file__).parent / "data"
MIN = 60.0
H = 3600.0


def test_timing_follows_the_longest_path_with_windows_and_open_steps() -> None:
    protocol = load_protocol(DATA / "timing.yaml")
    timing = StepGraph(protocol).timing()
    # seed 20 min → attach overnight (12–18 h) → treat 15 min → wash 3 × 10 min
    # → pcr 10 min + 40 × (15 s + 60 s) = 60 min; lysis (40 min) runs beside attach.
    assert timing.min_s == 20 * MIN + 12 * H + 15 * MIN + 30 * MIN + 60 * MIN
    assert timing.max_s is None  # "develop until bands appear" is open-ended
    assert timing.critical_path == ["seed", "attach", "treat", "wash", "pcr"]
    assert timing.hands_on_s == (20 + 10 + 15) * MIN
    assert timing.steps["pcr"].min_s == 60 * MIN
    assert timing.steps["wash"].min_s == 30 * MIN


def test_parallel_branch_starts_with_empty_after(tmp_path: Path) -> None:
    path = tmp_path / "parallel.yaml"
    path.write_text(
        'id: p\ntitle: P\nversion: "1"\nsteps:\n'
        "  - {id: block, title: Block, wait: {duration: 1 h}}\n"
        "  - {id: lyse, title: Lyse, after: [], wait: {duration: 30 min, temperature: on ice}}\n"
        "  - {id: load, title: Load, after: [block, lyse], hands_on: 10 min}\n"
    )
    graph = StepGraph(load_protocol(path))
    assert [e.pred for e in graph.preds["lyse"]] == []
    assert graph.timing().min_s == 70 * MIN
    assert graph.timing().critical_path == ["block", "load"]


def test_window_gap_counts_in_the_minimum_and_maximum(tmp_path: Path) -> None:
    path = tmp_path / "window.yaml"
    path.write_text(
        'id: w\ntitle: W\nversion: "1"\nsteps:\n'
        "  - {id: seed, title: Seed, hands_on: 30 min}\n"
        "  - id: treat\n    title: Treat\n    hands_on: 10 min\n"
        "    after: [{step: seed, window: 22-26 h}]\n"
    )
    timing = StepGraph(load_protocol(path)).timing()
    assert timing.min_s == 30 * MIN + 22 * H + 10 * MIN
    assert timing.max_s == 30 * MIN + 26 * H + 10 * MIN


def test_time_lapse_and_regimens_span_their_whole_period(tmp_path: Path) -> None:
    path = tmp_path / "long.yaml"
    path.write_text(
        'id: l\ntitle: L\nversion: "1"\nsteps:\n'
        "  - id: image\n    title: Image\n"
        "    every: {interval: 2-6 h, for: 24-48 h, hands_on: 5 min}\n"
        "  - id: dose\n    title: Dose\n"
        "    regimen: {frequency: BID, for: 21 d, hands_on: 10 min}\n"
        "  - id: cycle\n    title: Clinical cycles\n"
        "    regimen: {days: [1, 8, 15], cycle: 28 d, cycles: 2, hands_on: 30 min}\n"
    )
    timing = StepGraph(load_protocol(path)).timing()
    image, dose, cycle = (timing.steps[s] for s in ("image", "dose", "cycle"))
    assert (image.min_s, image.max_s) == (24 * H, 48 * H)
    assert image.hands_on_s == 5 * MIN * (24 // 6 + 1)  # at least one image per 6 h, plus t=0
    assert (dose.min_s, dose.hands_on_s) == (21 * 24 * H, 42 * 10 * MIN)  # 2 doses a day
    assert (cycle.min_s, cycle.hands_on_s) == (56 * 24 * H, 6 * 30 * MIN)  # days 1, 8, 15 × 2


def test_variant_steps_count_only_in_their_variant(tmp_path: Path) -> None:
    path = tmp_path / "variant.yaml"
    path.write_text(
        'id: v\ntitle: V\nversion: "1"\nvariants: {invasion: Matrigel coat}\nsteps:\n'
        "  - {id: coat, title: Coat, variant: invasion, wait: {duration: 30-60 min}}\n"
        "  - {id: seed, title: Seed, hands_on: 10 min}\n"
    )
    protocol = load_protocol(path)
    assert StepGraph(protocol).timing().min_s == 10 * MIN
    assert StepGraph(protocol, "invasion").timing().min_s == 40 * MIN
    assert StepGraph(protocol, "invasion").timing().max_s == 70 * MIN


def test_parallel_arms_are_waited_for_once(tmp_path: Path) -> None:
    """Review finding 5: three exposure arms (3, 24, 48 h) were summed into 75 h of passive
    time in a protocol that takes 48 h and a bit."""
    path = tmp_path / "arms.yaml"
    path.write_text(
        'id: p\ntitle: P\nversion: "1"\n'
        "design: {unit: well, factors: [{name: time, levels: [3 h, 24 h, 48 h]}],"
        " replicates: 1, stagger: harvest}\n"
        "steps:\n"
        "  - {id: treat, title: T, hands_on: 10 min}\n"
        "  - {id: expose, title: E $time, for_each: time, incubate: {duration: $time}}\n"
        "  - {id: lyse, title: L $time, for_each: time, hands_on: 20 min}\n"
        "  - {id: bca, title: B, hands_on: 5 min, wait: {duration: 30 min}}\n"
    )
    timing = StepGraph(load_protocol(path)).timing()
    assert timing.min_s == 10 * MIN + 48 * H + 20 * MIN + 35 * MIN
    # work is summed over the arms: each is lysed by someone
    assert timing.hands_on_s == (10 + 3 * 20 + 5) * MIN
    # waiting is what elapses along the critical path: the 48 h arm and the BCA's 30 min
    assert timing.passive_min_s == 48 * H + 30 * MIN
    assert timing.passive_max_s == 48 * H + 30 * MIN
    assert timing.passive_min_s <= timing.min_s


def test_passive_time_never_exceeds_the_total_in_the_library() -> None:
    import elab

    library = Path(elab.__file__).parent / "protocols"
    for path in sorted(library.glob("*.yaml")):
        protocol = load_protocol(path, library=[library])
        for variant in [None, *protocol.variants]:
            timing = StepGraph(protocol, variant).timing()
            assert timing.passive_min_s <= timing.min_s, (path.name, variant)
            if timing.max_s is not None and timing.passive_max_s is not None:
                assert timing.passive_max_s <= timing.max_s, (path.name, variant)
