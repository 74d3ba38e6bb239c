"""What elab needs of a unit string, remembered so that most processes never import pint.

:func:`unit_facts` answers with a unit's canonical spelling, its dimension and its map to SI;
the answers are kept in memory and in a JSON file in the user cache directory
(:func:`configure_unit_cache`), so validating a protocol whose units are all known is pint-free.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from elab.errors import QuantityError
from elab.units.pint_registry import _LAB_UNITS, _registry

__all__ = ["UnitFacts", "configure_unit_cache", "unit_facts"]


@dataclass(frozen=True)
class UnitFacts:
    """What elab needs of a unit: pint's spelling, its dimension and its map to SI.

    ``si = magnitude * factor + offset`` (the offset is non-zero only for °C and °F).
    """

    canonical: str
    dimensionality: str
    factor: float
    offset: float


class _FactsCache:
    """Pint's answers about unit strings, remembered across processes.

    A JSON file in the user cache directory, keyed by pint's version and the lab
    definitions, like pint's own definition cache; a miss asks pint and is written back.
    """

    def __init__(self) -> None:
        self.entries: dict[str, UnitFacts] | None = None
        self.directory: Path | None = None
        self.configured = False

    def configure(self, directory: Path | None) -> None:
        self.directory, self.configured, self.entries = directory, True, None

    def path(self) -> Path | None:
        if not self.configured:  # no shell said where: the process's settings do
            from elab.settings import Settings

            settings = Settings.from_env()
            self.configure(settings.user_cache_dir() if settings.unit_cache else None)
        if self.directory is None:
            return None
        import hashlib
        from importlib.metadata import version

        key = f"{version('pint')}-{hashlib.sha256(_LAB_UNITS.encode()).hexdigest()[:12]}"
        return self.directory / f"unit-facts-{key}.json"

    def load(self) -> dict[str, UnitFacts]:
        if self.entries is None:
            self.entries = {}
            path = self.path()
            try:
                raw = json.loads(path.read_text(encoding="utf-8")) if path else {}
                self.entries = {k: UnitFacts(*v) for k, v in raw.items()}
            except (OSError, ValueError, TypeError):
                self.entries = {}
        return self.entries

    def get(self, unit: str) -> UnitFacts:
        entries = self.load()
        found = entries.get(unit)
        if found is None:
            found = _ask_pint(unit)
            entries[unit] = found
            self.save()
        return found

    def save(self) -> None:
        path = self.path()
        if path is None or self.entries is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            data = {
                k: [v.canonical, v.dimensionality, v.factor, v.offset]
                for k, v in self.entries.items()
            }
            tmp.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            pass  # a read-only cache directory only costs speed


_FACTS = _FactsCache()


def configure_unit_cache(directory: Path | None) -> None:
    """Keep pint's answers in ``directory`` across processes, or (None) in memory only.

    The shells call this with their settings; without it the process's settings decide.
    """
    _FACTS.configure(directory)


def _ask_pint(unit: str) -> UnitFacts:
    import pint

    registry = _registry()
    try:
        units = registry.parse_units(unit)
    except (pint.errors.UndefinedUnitError, pint.errors.DefinitionSyntaxError) as exc:
        raise QuantityError(f"unknown unit {unit.strip()!r}") from exc
    except Exception as exc:  # pint's parser raises assorted errors on junk
        raise QuantityError(f"{unit!r} is not a unit") from exc
    canonical = str(units)
    dims = units.dimensionality
    zero = float(registry.Quantity(0.0, canonical).to_base_units().magnitude)
    one = float(registry.Quantity(1.0, canonical).to_base_units().magnitude)
    return UnitFacts(canonical, "" if not dims else str(dims), one - zero, zero)


def unit_facts(unit: str) -> UnitFacts:
    """Facts about a (normalised) unit string, from the cache or from pint."""
    if not unit:
        return UnitFacts("", "", 1.0, 0.0)
    if unit not in _PINT_FREE:
        _PINT_FREE[unit] = _FACTS.get(unit)
    return _PINT_FREE[unit]


_PINT_FREE: dict[str, UnitFacts] = {}
