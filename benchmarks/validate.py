"""Validation throughput and cold start.

1. Validate 1,000 generated protocol files of library size (20 steps, materials, equipment,
   records, windows) and compare with loading the same files with the bare YAML loader
   (ruamel round-trip, the loader validation itself uses) in the same run. Goal: ratio <= 2.
2. Cold start of `elab validate FILE` against `python -c pass`. Goal: under 0.3 s more.

Run: .venv/bin/python benchmarks/validate.py
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

N_FILES = 1000
STEPS = 20


def protocol_text(i: int) -> str:
    lines = [
        "# yaml-language-server: $schema=protocol.schema.json",
        f"id: generated-{i}",
        f"title: Generated protocol {i}",
        'version: "1.0"',
        "source: benchmark",
        "parameters:",
        "  incubation: {default: 24 h, range: 12-48 h}",
        "  seeding: {default: 5e4 cells, range: 1e4-1e5 cells}",
        "materials:",
        "  medium: {name: DMEM with 10 % FBS}",
        "  pbs: {name: PBS}",
        "  antibody: {name: anti-E-cadherin, dilution: '1:1000'}",
        "  matrigel: {name: Matrigel, stock: 8-12 mg/mL}",
        "equipment:",
        "  incubator: {name: CO2 incubator, capacity: 4}",
        "  centrifuge: {name: Centrifuge}",
        "  reader: {name: Plate reader}",
        "design:",
        "  unit: well",
        "  plate: 96",
        "  factors:",
        "    - {name: dose, levels: [0.1 nM, 1 nM, 10 nM, 100 nM]}",
        "  replicates: 3",
        "  controls:",
        "    - {name: vehicle, kind: vehicle, count: 3}",
        "steps:",
    ]
    for s in range(STEPS):
        lines += [
            f"  - id: step-{s}",
            f"    title: Step {s} of protocol {i}",
            "    text: Pipette gently along the wall of the well; do not disturb the monolayer.",
            f"    hands_on: {5 + s % 7} min",
        ]
        kind = s % 5
        if kind == 0:
            lines.append(
                "    incubate: {duration: $incubation, temperature: 37 °C, equipment: incubator}"
            )
        elif kind == 1:
            lines.append(
                "    centrifuge: {speed: 14000 x g, duration: 15 min, temperature: 4 °C,"
                " equipment: centrifuge}"
            )
        elif kind == 2:
            lines += [
                "    uses:",
                "      - {material: medium, volume: 600 uL, per: sample}",
                "      - {material: pbs, volume: 2 mL}",
            ]
        elif kind == 3:
            lines += ["    repeat: {times: 3, each: 10 min}"]
            lines += [f"    after: [{{step: step-{s - 1}, within: 5 min}}]"]
        else:
            lines += [
                "    record:",
                "      od570: {unit: OD, range: 0-4 OD, count: 96}",
                "      conc: {unit: mg/mL, range: 0.5-10 mg/mL, required: true}",
            ]
    return "\n".join(lines) + "\n"


def bench_throughput(directory: Path) -> tuple[float, float]:
    from ruamel.yaml import YAML

    from elab.domain.protocol import load_protocol

    files = sorted(directory.glob("*.yaml"))
    for path in files[:5]:  # warm both paths (imports, caches)
        load_protocol(path)
        YAML(typ="rt", pure=True).load(path.read_text())
    start = time.perf_counter()
    for path in files:
        YAML(typ="rt", pure=True).load(path.read_text(encoding="utf-8"))
    bare = time.perf_counter() - start
    start = time.perf_counter()
    for path in files:
        load_protocol(path)
    ours = time.perf_counter() - start
    return len(files) / ours, len(files) / bare


def bench_cold_start(path: Path, repeats: int = 7) -> tuple[float, float]:
    elab = Path(sys.executable).with_name("elab")

    def run(cmd: list[str]) -> float:
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        return time.perf_counter() - start

    run([str(elab), "validate", str(path)])  # first run fills the unit-facts cache
    ours = statistics.median(run([str(elab), "validate", str(path)]) for _ in range(repeats))
    base = statistics.median(run([sys.executable, "-c", "pass"]) for _ in range(repeats))
    return ours, base


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        for i in range(N_FILES):
            (directory / f"generated-{i}.yaml").write_text(protocol_text(i), encoding="utf-8")
        ours_rate, bare_rate = bench_throughput(directory)
        cold, python = bench_cold_start(directory / "generated-0.yaml")
    print(f"validate: {ours_rate:.0f} files/s; bare YAML load: {bare_rate:.0f} files/s")
    print(f"cold start: elab validate {cold:.3f} s; python -c pass {python:.3f} s")
    figures = [
        {
            "name": "validate_throughput",
            "value": round(ours_rate, 1),
            "unit": "files/s",
            "baseline": round(bare_rate, 1),
            "ratio": round(bare_rate / ours_rate, 3),
            "goal": "ratio <= 2",
        },
        {
            "name": "validate_cold_start_extra",
            "value": round(cold - python, 3),
            "unit": "s",
            "baseline": round(python, 3),
            "ratio": round(cold / python, 2),
            "goal": "value < 0.3",
        },
    ]
    print(json.dumps({"figures": figures}))


if __name__ == "__main__":
    main()
