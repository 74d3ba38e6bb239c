"""Typed protocol fields: quantities of a required kind, ratios, ids.

A quantity field accepts the quantity language of :mod:`elab.units` or ``$name``, a
reference to one of the protocol's parameters.  References are resolved while validating,
from the parameter values given in the validation context, so a run's ``--param``
override flows into every step that uses the parameter and is unit-checked there.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import PlainSerializer, PlainValidator, ValidationInfo, WithJsonSchema

from elab.errors import QuantityError
from elab.units import QRange, Ratio, check_kind, parse_quantity, parse_ratio

__all__ = [
    "ID_PATTERN",
    "Amount",
    "Duration",
    "Quantity",
    "RatioField",
    "Speed",
    "StepId",
    "Temperature",
    "Volume",
]

ID_PATTERN = r"^[a-z0-9][a-z0-9_.-]*$"
_PARAM_REF = re.compile(r"^\$([A-Za-z_][A-Za-z0-9_]*)$")

_EXAMPLES = {
    "time": "a duration: 10 min, 12-48 h, >= 1 h, overnight, or $parameter",
    "temperature": "a temperature: 37 °C, 4 degC, RT, on ice, or $parameter",
    "amount": "an amount: 600 uL, 2 mL, 5e4 cells, 1 ug, or $parameter",
    "concentration": "a concentration: 200 ug/mL, 10 uM, 0.1 % v/v, or $parameter",
    "speed": "a speed: 14000 x g or 1500 rpm",
    "volume": "a volume: 600 uL, 2 mL, or $parameter",
}


def _resolve(value: Any, kind: str | None, info: ValidationInfo) -> QRange:
    if isinstance(value, QRange):
        return check_kind(value, kind) if kind and kind != "speed_or_rcf" else value
    if isinstance(value, str) and (m := _PARAM_REF.match(value.strip())):
        params: dict[str, QRange] = (info.context or {}).get("parameters", {})
        name = m[1]
        if name not in params:
            from elab.errors import did_you_mean

            hint = did_you_mean(name, params)
            raise ValueError(
                f"unknown parameter ${name}" + (f" (did you mean {hint}?)" if hint else "")
            )
        resolved = params[name]
        if kind and kind != "speed_or_rcf":
            check_kind(resolved, kind)
        return resolved
    if kind == "speed_or_rcf":
        result = parse_quantity(value)
        try:
            return check_kind(result, "acceleration")
        except QuantityError:
            return check_kind(result, "speed")
    return parse_quantity(value, kind)


def _validator(kind: str | None) -> PlainValidator:
    def validate(value: Any, info: ValidationInfo) -> QRange:
        try:
            return _resolve(value, kind, info)
        except QuantityError as exc:
            raise ValueError(str(exc)) from None

    return PlainValidator(validate)


def _schema(kind: str | None) -> WithJsonSchema:
    description = _EXAMPLES.get(kind or "", "a quantity with a unit, e.g. 600 uL")
    return WithJsonSchema({"type": "string", "description": description})


_AS_TEXT = PlainSerializer(lambda q: q.text or str(q), return_type=str)


def _ratio(value: Any) -> Ratio:
    if isinstance(value, Ratio):
        return value
    if not isinstance(value, str):
        raise ValueError('a ratio is written in quotes like "1:1000"')
    try:
        return parse_ratio(value)
    except QuantityError as exc:
        raise ValueError(str(exc)) from None


Duration = Annotated[QRange, _validator("time"), _AS_TEXT, _schema("time")]
Temperature = Annotated[QRange, _validator("temperature"), _AS_TEXT, _schema("temperature")]
Amount = Annotated[QRange, _validator("amount"), _AS_TEXT, _schema("amount")]
Volume = Annotated[QRange, _validator("volume"), _AS_TEXT, _schema("volume")]
Quantity = Annotated[QRange, _validator(None), _AS_TEXT, _schema(None)]
Speed = Annotated[QRange, _validator("speed_or_rcf"), _AS_TEXT, _schema("speed")]
RatioField = Annotated[
    Ratio,
    PlainValidator(_ratio),
    PlainSerializer(lambda r: str(r), return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^\d+(\.\d+)?:\d+(\.\d+)?$"}),
]
StepId = Annotated[
    str,
    WithJsonSchema({"type": "string", "pattern": ID_PATTERN}),
]
