"""Rendering: run records, plate maps and Gantt charts as HTML, SVG, PNG, PDF and Markdown."""

__all__: list[str] = []
