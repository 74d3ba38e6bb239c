"""Rendering: run records, plate maps and Gantt charts as HTML, SVG, PNG, PDF and Markdown."""
