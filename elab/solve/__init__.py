"""Constraint solvers (OR-Tools CP-SAT); the only package that imports ortools."""

__all__: list[str] = []
