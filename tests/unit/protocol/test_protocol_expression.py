"""The derived-value expression language: arithmetic on names, nothing else, never a crash."""

from __future__ import annotations

import ast
import contextlib
import math
import operator
from typing import Any, ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from elab.domain.protocol.expression import evaluate, parse_expression
from elab.errors import DimensionError, ExpressionError
from elab.units import registry

NAMES = ["protein_per_lane", "protein_conc", "a", "b", "x1"]


class Tripwire:
    """A value that fails the test if anything reads an attribute, calls or indexes it."""

    touched: ClassVar[list[str]] = []

    def __getattr__(self, name: str) -> Any:
        Tripwire.touched.append(f"attribute {name}")
        raise AssertionError(name)

    def __call__(self, *args: Any) -> Any:
        Tripwire.touched.append("call")
        raise AssertionError("call")

    def __getitem__(self, key: Any) -> Any:
        Tripwire.touched.append("subscript")
        raise AssertionError("subscript")


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=120))
def test_any_text_parses_or_is_refused_with_a_place(text: str) -> None:
    try:
        expression = parse_expression(text)
    except ExpressionError as exc:
        assert 0 <= exc.offset <= max(len(text), 200)
        assert str(exc)
        return
    assert all(name.isidentifier() for name in expression.names)


_ATOM = st.one_of(st.sampled_from(NAMES), st.integers(0, 999).map(str),
                  st.floats(0.001, 1e6, allow_nan=False).map(lambda f: f"{f:.4g}"))


@st.composite
def python_like(draw: st.DrawFn) -> str:
    """Expressions built from allowed and forbidden pieces of Python."""
    left, right = draw(_ATOM), draw(_ATOM)
    form = draw(st.sampled_from([
        "{l}", "-({l})", "{l} + {r}", "({l} - {r}) / {r}", "-{l} * {r}", "{l}.real",
        "{l}({r})", "{l}[{r}]", "{l} ** {r}", "{l} if {r} else 1", "[{l}, {r}]", "{l} < {r}", "{l} and {r}",
        "(lambda: {l})()", "{l}.__class__", "__import__('os').system('true')", "'{l}'",
        "{{{l}: {r}}}", "({l} := {r})", "{l} % {r}", "{l} // {r}", "not {l}", "*{l}",
    ]))
    return str(form.format(l=left, r=right))


ALLOWED_NODES = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Name, ast.Load,
                 ast.Add, ast.Sub, ast.Mult, ast.Div, ast.USub, ast.UAdd)


@settings(max_examples=400, deadline=None)
@given(python_like())
def test_attributes_calls_and_subscripts_are_never_evaluated(text: str) -> None:
    Tripwire.touched = []
    try:
        expression = parse_expression(text)
    except ExpressionError:
        return
    assert all(isinstance(node, ALLOWED_NODES) for node in ast.walk(ast.parse(text, mode="eval")))
    with contextlib.suppress(ExpressionError, TypeError):
        evaluate(expression, {name: Tripwire() for name in NAMES})
    assert Tripwire.touched == []


@pytest.mark.parametrize("text", [
    "a.real", "a()", "a[0]", "a ** 2", "__import__('os')", "(lambda: 1)()", "a if b else 1",
    "'text'", "True", "a < b", "[a]", "a.__class__.__mro__", "protein_conc.to('uL')",
])
def test_refused_before_anything_is_evaluated(text: str) -> None:
    with pytest.raises(ExpressionError):
        parse_expression(text)


def test_refusal_points_at_the_place() -> None:
    with pytest.raises(ExpressionError) as caught:
        parse_expression("a + b.c")
    assert caught.value.offset == 4
    assert "attribute access is not allowed" in str(caught.value)


_LEAF = st.one_of(st.sampled_from(["a", "b"]), st.integers(1, 99))


def _tree() -> st.SearchStrategy[Any]:
    return st.recursive(_LEAF, lambda inner: st.tuples(
        st.sampled_from("+-*/"), inner, inner), max_leaves=12)


def _text(node: Any) -> str:
    if isinstance(node, tuple):
        op, left, right = node
        return f"({_text(left)} {op} {_text(right)})"
    return str(node)


def _value(node: Any, env: dict[str, float]) -> float:
    if isinstance(node, tuple):
        op, left, right = node
        lhs, rhs = _value(left, env), _value(right, env)
        ops = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}
        return float(ops[op](lhs, rhs))
    return env[node] if isinstance(node, str) else float(node)


@settings(max_examples=300, deadline=None)
@given(_tree(), st.floats(0.5, 50), st.floats(0.5, 50))
def test_arithmetic_is_arithmetic(tree: Any, a: float, b: float) -> None:
    env = {"a": a, "b": b}
    try:
        expected = _value(tree, env)
    except ZeroDivisionError:
        with pytest.raises(ExpressionError):
            evaluate(parse_expression(_text(tree)), env)
        return
    got = evaluate(parse_expression(_text(tree)), env)
    if math.isfinite(expected):
        assert math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-12)


def test_units_follow_the_arithmetic() -> None:
    q = registry().Quantity
    expression = parse_expression("protein_per_lane / protein_conc")
    volume = evaluate(expression, {"protein_per_lane": q(20, "microgram"),
                                   "protein_conc": q(1.6, "milligram / milliliter")})
    assert math.isclose(volume.to("microliter").magnitude, 12.5)


def test_adding_unlike_quantities_is_a_dimension_error() -> None:
    q = registry().Quantity
    with pytest.raises(DimensionError, match="cannot add µg and µL"):
        evaluate(parse_expression("a + b"), {"a": q(1, "microgram"), "b": q(1, "microliter")})


def test_division_by_zero_is_refused_not_raised() -> None:
    with pytest.raises(ExpressionError, match="division by zero"):
        evaluate(parse_expression("a / (b - b)"), {"a": 1.0, "b": 2.0})
