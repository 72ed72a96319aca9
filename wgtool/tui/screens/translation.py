"""A draft beside its translation: each paragraph by label, the authentic text on the left and
the translation on the right, stale ones marked.

Right-to-left text (Arabic, Hebrew, Persian) is kept in its logical order, as the record holds
it, and set against the right edge; nothing is added to it (no bidirectional controls), so
what the terminal shows is the member's text and only that.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widget import Widget
from textual.widgets import Header, Select, Static

from wgtool import api
from wgtool.tui.render import safe
from wgtool.tui.screens.base import WgScreen
from wgtool.tui.widgets import KeysFooter

STALE = "[stale] "


class TranslationScreen(WgScreen):
    """Read a draft and its translation into one language side by side."""

    AUTO_FOCUS = "#translation-body"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "n",
            "next_language",
            "Next language",
            id="next-language",
            tooltip="The draft's translation into its next language",
        ),
    ]

    def __init__(self, slug: str, lang: str | None = None) -> None:
        super().__init__()
        self.slug = slug
        self.lang = lang
        self.languages: list[str] = []
        self._filling = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(safe(self.slug, one_line=True), id="translation-info", classes="screen-title")
        yield Select([], id="translation-lang", allow_blank=True, prompt="Language")
        yield VerticalScroll(id="translation-body")
        yield KeysFooter()

    def load(self) -> None:
        body = self.query_one("#translation-body", VerticalScroll)
        self.wg_app.busy(body)
        self.read_translation(self.lang, body)

    @work(thread=True, exclusive=True, group="load")
    def read_translation(self, lang: str | None, body: VerticalScroll) -> None:
        with self.wg_app.core(busy=body) as wg:
            found = wg.translations.translation_languages(self.slug)
            authentic = wg.translations.authentic(self.slug)
            chosen = lang if lang in found else (found[0] if found else None)
            aligned = wg.translations.aligned(self.slug, chosen) if chosen else None
            self.wg_app.deliver(self.show, found, authentic, aligned)

    def show(self, found: list[str], authentic: str, aligned: api.languages.Aligned | None) -> None:
        self.languages = found
        info = Text()
        info.append_text(safe(self.slug, "bold", one_line=True))
        body = self.query_one("#translation-body", VerticalScroll)
        body.remove_children()
        if aligned is None:
            info.append(f" · {authentic}, authentic · no translations yet")
            self.query_one("#translation-info", Static).update(info)
            return
        self.lang = aligned.lang
        self._fill_choice(found, aligned.lang)
        info.append(f" · {authentic} (authentic) | {aligned.lang}")
        info.append(f" · {len(aligned.stale)} stale · {len(aligned.missing)} not translated")
        if aligned.orphans:
            info.append(f" · {len(aligned.orphans)} orphaned")
        self.query_one("#translation-info", Static).update(info)
        rtl = api.languages.is_rtl(aligned.lang)
        body.mount_all([_row(row, rtl) for row in aligned.rows])
        for key, text in aligned.orphans:
            body.mount(Static(safe(f"orphaned {key}: {text}"), classes="translation-orphan"))

    def _fill_choice(self, found: list[str], lang: str) -> None:
        select = self.query_one("#translation-lang", Select)
        self._filling = True
        select.set_options([(Text(code), code) for code in found])
        select.value = lang
        self.after_refresh(self._done_filling)

    def _done_filling(self) -> None:
        self._filling = False

    @on(Select.Changed, "#translation-lang")
    def _language_chosen(self, event: Select.Changed) -> None:
        if self._filling or event.value is Select.NULL or event.value == self.lang:
            return
        self.lang = str(event.value)
        self.load()

    def action_next_language(self) -> None:
        if len(self.languages) < 2:
            self.notify(f"{self.slug} has no other translation", severity="warning")
            return
        at = self.languages.index(self.lang) if self.lang in self.languages else -1
        self.lang = self.languages[(at + 1) % len(self.languages)]
        self.load()


def _row(row: api.languages.Row, rtl: bool) -> Widget:
    """One unit: its label, the authentic text, and its translation (or that there is none)."""
    heading = row.unit.heading
    style = "bold" if heading else ""
    if row.text is None:
        translated = Text("(not translated)", style="italic dim")
    else:
        translated = Text(STALE, style="bold yellow") if row.stale else Text()
        translated.append_text(safe(_shown(row.text, heading), style))
    return Horizontal(
        Static("" if heading else f"{row.unit.key}.", classes="translation-label"),
        Static(safe(_shown(row.unit.text, heading), style), classes="translation-source"),
        Static(translated, classes="translation-target" + (" rtl" if rtl else "")),
        classes="translation-row" + (" stale" if row.stale else ""),
    )


def _shown(text: str, heading: bool) -> str:
    """A heading's words without its Markdown marks; a paragraph as it is."""
    return text.lstrip("#").strip() if heading else text
