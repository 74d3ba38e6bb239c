"""A protocol's parameter values, with ``--param`` overrides checked against each declaration.

An override must have the dimension of the parameter's default and lie inside its range;
the run-start form checks each field with :func:`parameter_value` too, so both refuse the
same values with the same words.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from elab.domain.protocol.model import Parameter
from elab.errors import Location, ProtocolError, ProtocolErrors, QuantityError, did_you_mean
from elab.units import QRange, check_kind, parse_quantity

__all__ = ["parameter_value", "parse_overrides"]


def parse_overrides(
    tree: Mapping[str, Any], overrides: Mapping[str, str], file: str = "--param"
) -> dict[str, QRange]:
    """The protocol's parameter values with ``--param`` overrides applied and checked."""
    raw = tree.get("parameters") or {}
    values: dict[str, QRange] = {}
    errors: list[ProtocolError] = []
    declared: dict[str, Parameter] = {}
    if isinstance(raw, dict):
        for name, spec in raw.items():
            try:
                declared[name] = Parameter.model_validate(spec)
                values[name] = declared[name].default
            except ValidationError:
                continue  # reported where the parameter is validated with the protocol
    for name, text in overrides.items():
        where = Location(file, 0, 0)
        if name not in declared:
            hint = did_you_mean(name, declared)
            errors.append(
                ProtocolError(
                    f"unknown parameter {name!r}" + (f" (did you mean {hint}?)" if hint else ""),
                    where,
                )
            )
            continue
        try:
            values[name] = parameter_value(declared[name], text)
        except QuantityError as exc:
            why = str(exc)
            sep = " " if why.startswith("is ") else ": "
            errors.append(ProtocolError(f"{name}={text}{sep}{why}", where))  # where: --param
    if errors:
        raise ProtocolErrors(errors)
    return values


def parameter_value(param: Parameter, text: str) -> QRange:
    """``text`` as a value of ``param``: same dimension as its default, inside its range.

    The run-start form checks each field with this as it is typed, so the form and
    ``--param`` refuse exactly the same values with the same words.
    """
    value = parse_quantity(text)
    check_kind(value, _kind_like(param.default))
    value = value.to(param.default.unit) if param.default.unit else value
    if param.range is not None and not _within(value, param.range):
        raise QuantityError(f"is outside the allowed range {param.range}")
    return QRange(value.low, value.high, value.unit, text.strip(), value.nominal)


def _kind_like(value: QRange) -> str:
    from elab.units import KINDS, _dimensionality

    dim = _dimensionality(value.unit)
    for kind, dims in KINDS.items():
        if dims == (dim,):
            return kind
    return "dimensionless" if not dim else next(k for k, d in KINDS.items() if dim in d)


def _within(value: QRange, allowed: QRange) -> bool:
    ends = [v for v in (value.low, value.high) if v is not None]
    return all(allowed.contains(v, value.unit) for v in ends)
