"""Use cases shared by the CLI and the TUI: the only layer that touches store and domain."""

__all__: list[str] = []
