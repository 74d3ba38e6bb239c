"""Check 2: a flow panel that the cytometer can tell apart.

Each fluorochrome of the protocol's materials is looked up in ``fluorochromes.yaml`` (laser,
emission peak and detector on the standard 3-, 4- and 5-laser analysers, with its sources).
Two markers collected by one detector cannot be told apart (error); a known heavy spillover
pair is a warning; a fluorochrome the table does not know is a warning, since nothing can be
said about it.  A protocol names its analyser with ``cytometer: 3-laser|4-laser|5-laser``;
without one the 4-laser configuration is assumed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from elab.domain.protocol.model import Protocol
from elab.domain.protocol.science.finding import Report
from elab.domain.protocol.yamlsource import load_yaml
from elab.errors import did_you_mean

__all__ = [
    "DEFAULT_CYTOMETER",
    "Fluorochrome",
    "FluorochromeTable",
    "check_spectra",
    "fluorochrome_table",
]

DEFAULT_CYTOMETER = "4-laser"
_TABLE = Path(__file__).with_name("fluorochromes.yaml")


@dataclass(frozen=True)
class Fluorochrome:
    name: str
    laser: int
    emission: int
    detectors: dict[str, str]


@dataclass(frozen=True)
class FluorochromeTable:
    configurations: dict[str, str]
    entries: dict[str, Fluorochrome]
    heavy: frozenset[frozenset[str]]

    def find(self, name: str) -> Fluorochrome | None:
        return self.entries.get(_key(name))


def _key(name: str) -> str:
    return " ".join(name.lower().replace("-", " ").replace("/", " ").split())


@lru_cache(maxsize=1)
def fluorochrome_table() -> FluorochromeTable:
    """The bundled table (read once)."""
    raw: dict[str, Any] = load_yaml(_TABLE.read_text(encoding="utf-8"), str(_TABLE))
    entries: dict[str, Fluorochrome] = {}
    for name, spec in raw["fluorochromes"].items():
        entry = Fluorochrome(str(name), int(spec["laser"]), int(spec["emission"]),
                             {str(k): str(v) for k, v in spec["detectors"].items()})
        for alias in [name, *spec.get("aliases", [])]:
            entries[_key(str(alias))] = entry
    heavy = frozenset(frozenset(entries[_key(a)].name for a in pair)
                      for pair in raw["heavy_spillover"])
    return FluorochromeTable(dict(raw["configurations"]), entries, heavy)


def check_spectra(protocol: Protocol, report: Report) -> None:
    panel = {m: mat.fluorochrome for m, mat in protocol.materials.items() if mat.fluorochrome}
    if not panel:
        return
    table = fluorochrome_table()
    config = protocol.cytometer or DEFAULT_CYTOMETER
    if config not in table.configurations:
        hint = did_you_mean(config, table.configurations)
        report.error(f"unknown cytometer configuration {config!r}; known: "
                     + ", ".join(table.configurations)
                     + (f" (did you mean {hint}?)" if hint else ""), "cytometer")
        return
    on_detector: dict[str, str] = {}
    known: dict[str, Fluorochrome] = {}
    for material, name in panel.items():
        where = ("materials", material, "fluorochrome")
        entry = table.find(name)
        if entry is None:
            report.warning(f"{material}: fluorochrome {name!r} is not in the spectra table;"
                           " its detector and spillover cannot be checked", *where)
            continue
        detector = entry.detectors.get(config)
        if detector is None:
            report.error(f"{material}: {entry.name} has no detector on the {config} analyser"
                         f" ({table.configurations[config]})", *where)
            continue
        if detector in on_detector:
            other = on_detector[detector]
            report.error(f"{material} ({entry.name}) and {other} ({panel[other]}) are both"
                         f" collected in {detector} on the {config} analyser: the two markers"
                         " cannot be told apart", *where)
            continue
        on_detector[detector] = material
        for other, other_entry in known.items():
            if frozenset((entry.name, other_entry.name)) in table.heavy:
                report.warning(f"{material} ({entry.name}) and {other} ({other_entry.name}) are"
                               " a known heavy spillover pair; put co-expressed markers"
                               " elsewhere or plan the compensation", *where)
        known[material] = entry
