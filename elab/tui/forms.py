"""The look the TUI's modal forms share: a centred box of one-line fields.

Fields are one line high (no border) so a form of several values fits an 80×24 terminal;
the focused field is shown by its background, not by colour of text alone.
"""

from __future__ import annotations

__all__ = ["form_css"]


def form_css(screen: str, width: int) -> str:
    """CSS for the modal screen class ``screen``: a ``Vertical`` holding ``#fields``."""
    return f"""
    {screen} {{ align: center middle; }}
    {screen} Input {{ border: none; height: 1; padding: 0 1; margin: 0 0 0 2; }}
    {screen} Input:focus {{ border: none; background: $accent 30%; }}
    {screen} > Vertical {{ width: {width}; max-width: 100%; height: auto; max-height: 100%;
                           border: thick $accent; padding: 0 1; background: $surface; }}
    {screen} #fields {{ height: auto; max-height: 16; }}
    """
