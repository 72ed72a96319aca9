"""Messages the screens and the app exchange."""

from __future__ import annotations

from textual.message import Message

from wgtool.api import Member


class RecordChanged(Message):
    """Something was written to the record (or fetched by a sync).

    The app counts these; the current screen reads the record again at once, the others when
    they are next shown.
    """

    def __init__(self, summary: str = "", fingerprint: str | None = None) -> None:
        super().__init__()
        self.summary = summary
        """One line to tell the member what happened, or empty."""
        self.fingerprint = fingerprint
        """The record's fingerprint once changed (see ``Record.record_fingerprint``), when
        the writer read it: the app's watch then knows the change is already shown."""


class ActorChanged(Message):
    """The acting member changed (at start-up, or in the demo's member picker)."""

    def __init__(self, member: Member | None) -> None:
        super().__init__()
        self.member = member


class SyncProgress(Message):
    """One line of progress from a running sync (posted from the sync's worker thread)."""

    def __init__(self, line: str) -> None:
        super().__init__()
        self.line = line
