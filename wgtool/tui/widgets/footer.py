"""The footer of every screen: the keys everywhere always shown, recompositions kept in order."""

from __future__ import annotations

import asyncio
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import HorizontalGroup
from textual.widget import Widget
from textual.widgets import Footer


class KeysFooter(Footer):
    """A `Footer` whose keys for help and for acting as another member always show, and that
    finishes one recomposition before it starts the next.

    The stock footer lays the keys out left to right and cuts what does not fit, so at 80
    columns the app's own keys (F1, F2), which come last, were the first lost. Here the
    screen's keys share what is left of the width (the last of them cut when too many) and the
    app's keys stand at the right, beside the command palette's.

    Screens refresh their bindings when their data arrives (the keys an amendment offers depend
    on its state and the acting member). Two overlapping recompositions of the stock footer can
    leave the older set of keys on screen; here the newer always comes last.
    """

    DEFAULT_CSS = """
    KeysFooter {
        #screen-keys {
            width: 1fr;
            height: 1;
            margin-right: 1;
        }
    }
    """

    APP_ACTIONS: ClassVar[frozenset[str]] = frozenset({"help", "act_as"})
    """The actions of the app's keys that every screen shows."""

    def __init__(self) -> None:
        super().__init__(compact=True)
        self._recompose_lock: asyncio.Lock | None = None

    def compose(self) -> ComposeResult:
        keys = list(super().compose())
        screen_keys = [key for key in keys if not self._everywhere(key)]
        yield HorizontalGroup(*screen_keys, id="screen-keys")
        yield from (key for key in keys if self._everywhere(key))

    def _everywhere(self, key: Widget) -> bool:
        # FooterKey is not public: its ``action`` attribute tells the keys apart.
        return getattr(key, "action", None) in self.APP_ACTIONS or key.has_class("-command-palette")

    async def recompose(self) -> None:
        if self._recompose_lock is None:
            self._recompose_lock = asyncio.Lock()
        async with self._recompose_lock:
            await super().recompose()
            self.call_after_refresh(self.fit_keys)

    def on_mount(self) -> None:
        self.call_after_refresh(self.fit_keys)

    def on_resize(self) -> None:
        self.call_after_refresh(self.fit_keys)

    def fit_keys(self) -> None:
        """Show the screen's keys that fit whole, in order, and hide the rest: a key cut in
        the middle ("x R" for "x Reject") says nothing; F1 lists every key."""
        rows = self.query("#screen-keys")
        if not rows:
            return  # recomposing
        row = rows.first()
        if not row.size.width:
            return
        used = 0
        for key in row.children:
            # FooterKey renders its key and description (padding included) as one Text.
            rendered = key.render()
            width = rendered.cell_len if isinstance(rendered, Text) else key.outer_size.width
            used += width  # the margin after the last key shown may fall outside
            fits = used <= row.size.width
            if key.display != fits:  # a change lays the screen out again: only when needed
                key.display = fits
            used += key.styles.margin.width
