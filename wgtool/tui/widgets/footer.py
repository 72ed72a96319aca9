"""The footer of every screen, its recompositions kept in order."""

from __future__ import annotations

import asyncio

from textual.widgets import Footer


class KeysFooter(Footer):
    """A `Footer` that finishes one recomposition before it starts the next.

    Screens refresh their bindings when their data arrives (the keys an amendment offers depend
    on its state and the acting member). Two overlapping recompositions of the stock footer can
    leave the older set of keys on screen; here the newer always comes last.
    """

    def __init__(self) -> None:
        super().__init__()
        self._recompose_lock: asyncio.Lock | None = None

    async def recompose(self) -> None:
        if self._recompose_lock is None:
            self._recompose_lock = asyncio.Lock()
        async with self._recompose_lock:
            await super().recompose()
