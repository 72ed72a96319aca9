"""What a stakeholder group says of an adopted text: a reservation on one paragraph of a
consensus version, or an explanation of position on a version (pure data, no I/O)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from wgtool.core.model import Event

RESERVATION, EXPLANATION, RETRACT = "reservation", "explanation", "retract"
STATEMENT_TYPES = (RESERVATION, EXPLANATION, RETRACT)


@dataclass(frozen=True)
class Statement:
    """A reservation or an explanation of position, as the draft's chain has it.

    Attributes:
        event: The reservation (``paragraph``: the version's label; ``text``: the reason) or
            the explanation (``text``), by a member for their group; ``target``: the version.
        label: The paragraph's label on main now (a reservation whose paragraph is still there).
        retracted: The retraction, when a member of the group took it back.
    """

    event: Event
    label: str | None = None
    retracted: Event | None = None

    @property
    def kind(self) -> str:
        return self.event.type

    @property
    def version(self) -> str:
        return self.event.target or ""

    @property
    def active(self) -> bool:
        return self.retracted is None

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.event.id,
            "kind": self.kind,
            "draft": self.event.draft,
            "version": self.version,
            "paragraph": self.event.paragraph,
            "label_now": self.label,
            "member": self.event.member,
            "group": self.event.group,
            "at": self.event.at,
            "text": self.event.text,
            "retracted": None
            if self.retracted is None
            else {
                "id": self.retracted.id,
                "member": self.retracted.member,
                "at": self.retracted.at,
            },
        }


def statements(events: list[Event], label_now: dict[str, str | None]) -> list[Statement]:
    """The reservations and explanations among a draft's ``events`` (oldest first), each with
    its retraction; ``label_now``: each reservation's paragraph label on main now, by id."""
    retractions = {e.target: e for e in events if e.type == RETRACT}
    return [
        Statement(e, label_now.get(e.id), retractions.get(e.id))
        for e in events
        if e.type in (RESERVATION, EXPLANATION)
    ]


def notes_for(found: list[Statement], version: str, labels: Sequence[str]) -> list[Statement]:
    """The statements on ``version`` still standing, as an exported document numbers its
    notes: reservations in the order of their paragraphs (``labels``: the version's), then
    explanations, each kind oldest first."""
    standing = [s for s in found if s.active and s.version == version]
    order = {label: number for number, label in enumerate(labels)}
    reservations = [s for s in standing if s.kind == RESERVATION]
    reservations.sort(key=lambda s: order.get(s.event.paragraph or "", len(order)))
    return reservations + [s for s in standing if s.kind == EXPLANATION]


def note_text(statement: Statement, group_name: str) -> str:
    """A statement as a document's note says it (member text stays text)."""
    if statement.kind == RESERVATION:
        return (
            f"Reservation by {group_name} ({statement.event.member}) on paragraph "
            f"{statement.event.paragraph}: {statement.event.text}"
        )
    who = f"{group_name} ({statement.event.member})"
    return f"Explanation of position by {who}: {statement.event.text}"
