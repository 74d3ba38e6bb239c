"""Analysis hooks: tidy CSV in, numbers with their method and units out.

The API the rest of elab uses (``elab analyze`` and ``runs finish``):

- :func:`available_hooks` and :func:`load_hook` find hooks through the ``elab.analysis``
  entry-point group (the built-ins are registered there too);
- :func:`read_table` reads a tidy CSV with units in its headers, and
  :func:`table_from_records` builds the same table from rows in memory (recorded values);
- :func:`run_hook` runs a hook on one or more tables with ``--param``-style parameters and
  returns an :class:`AnalysisResult` whose :meth:`~AnalysisResult.to_json` scripts rely on;
- :func:`join_layout` adds a plate layout's columns (dose, control...) to per-well readings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .base import AnalysisResult, Column, Hook, Param, qty
from .layout_join import join_layout
from .registry import GROUP, available_hooks, load_hook
from .table import Table, concat_tables, read_table, table_from_records

__all__ = [
    "GROUP",
    "AnalysisResult",
    "Column",
    "Hook",
    "Param",
    "Table",
    "available_hooks",
    "concat_tables",
    "join_layout",
    "load_hook",
    "qty",
    "read_table",
    "run_hook",
    "table_from_records",
]


def run_hook(
    name: str,
    tables: Table | str | Path | Iterable[Table | str | Path],
    params: Mapping[str, Any] | None = None,
) -> AnalysisResult:
    """Run the hook ``name`` on the tables (paths, CSV text or :class:`Table`) as one table."""
    if isinstance(tables, Table | str | Path):
        tables = [tables]
    read = [t if isinstance(t, Table) else read_table(t) for t in tables]
    return load_hook(name).run(concat_tables(read), params)
