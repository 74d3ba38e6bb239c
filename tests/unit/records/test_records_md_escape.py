"""Property: any text, escaped for Markdown, renders (CommonMark + GFM tables) as itself."""

from __future__ import annotations

import html
import re

from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from elab.render.record import md_escape

MD = MarkdownIt("commonmark").enable("table").enable("strikethrough")
ALPHABET = st.sampled_from([*"ab1 _*`[]()<>!#|~$&;\\-+=.:/\"'\n\t", "lt", "#60", "x"])


def _rendered_text(markdown: str) -> str:
    out = MD.render(markdown).strip()
    assert out.startswith("<p>") and out.endswith("</p>"), out
    inner = out[3:-4]
    assert not re.search(r"<(?!br ?/?>)[a-z/]", inner), out  # no tags: no links, emphasis, html
    return html.unescape(inner)


@settings(max_examples=400, deadline=None)
@given(st.lists(ALPHABET, min_size=1, max_size=30).map("".join))
@example("---")
@example("- - -")
@example("1) x")
@example("&#60;")
@example("<http://x>")
@example("[a](b)")
@example("![a](file:///etc/passwd)")
def test_escaped_text_renders_as_itself(text: str) -> None:
    normal = " ".join(text.split())
    if not normal:
        return
    assert _rendered_text(md_escape(text)) == normal


@settings(max_examples=200, deadline=None)
@given(st.lists(ALPHABET, min_size=1, max_size=20).map("".join))
def test_escaped_text_stays_in_its_table_cell(text: str) -> None:
    table = f"| a | b |\n|---|---|\n| {md_escape(text)} | end |\n"
    out = MD.render(table)
    assert out.count("<td>") == 2 and "<td>end</td>" in out, out
