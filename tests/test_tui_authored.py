"""Who wrote it (``w`` in a draft) keeps the chair's brackets: the reader's coloured paragraph
against a deliberately simple reference, on random text, brackets and writers."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from wgtool.tui.widgets.paragraphs import authored, bracketed

# -- the property -----------------------------------


@st.composite
def authored_paragraphs(draw: st.DrawFn) -> tuple[str, list[tuple[int, int, str]], list]:
    """Plain text (no Markdown signs), brackets over random stretches, and runs of writers
    that tile the text."""
    text = draw(st.text(alphabet="abc de", min_size=1, max_size=40))
    spans = []
    for number in range(draw(st.integers(0, 3))):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        spans.append((start, end, f"b{number}"))
    cuts = sorted(set(draw(st.lists(st.integers(1, len(text)), max_size=5))) | {len(text)})
    runs, start = [], 0
    for end in cuts:
        if end > start:
            runs.append((start, end, draw(st.sampled_from(["red", "blue", ""]))))
            start = end
    return text, spans, runs


@settings(max_examples=300, deadline=None)
@given(authored_paragraphs())
def test_who_wrote_it_keeps_the_brackets_where_the_plain_view_has_them(case) -> None:  # type: ignore[no-untyped-def]
    text, spans, runs = case
    coloured = authored(text, spans, runs)
    plain = bracketed(text, spans)
    # The reference: the bracketed view's characters, and each of the text's characters in
    # the style of the run it is in.
    assert coloured.plain == plain.plain
    source = 0
    for index, char in enumerate(coloured.plain):
        styles = " ".join(str(s.style) for s in coloured.spans if s.start <= index < s.end)
        if char in "[]" and plain.plain[index] == char:
            assert "bold reverse" in styles  # the chair's bracket, as in the plain view
            continue
        writer = next(style for start, end, style in runs if start <= source < end)
        others = {"red", "blue"} - {writer}
        assert (writer in styles.split()) if writer else not ({"red", "blue"} & set(styles.split()))
        assert not others & set(styles.split())
        source += 1
    assert source == len(text)
