"""The bench TUI: a face on the run services; all state comes from the event log."""

__all__: list[str] = []
