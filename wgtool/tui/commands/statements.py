"""The palette's entries for what a group says of an adopted text: a reservation on the
highlighted paragraph, an explanation of position on the draft (each on its latest consensus
version unless another is named), asked in the fields dialog and written in a worker."""

from __future__ import annotations

from collections.abc import Iterable

from wgtool.tui.commands import Command
from wgtool.tui.commands.agreement import Field, Fields, ask
from wgtool.tui.host import Writes

ACTION = "state a reservation or position"
VERSION = Field("version", "Version (empty: the latest)", required=False)


def statement_commands(screen: Writes, slug: str, label: str | None) -> Iterable[Command]:
    """Reserve the highlighted paragraph ``label`` (if any); explain a position on ``slug``."""
    if label is not None:
        yield Command(
            f"Reserve ¶{label} for your group",
            "A reservation of your stakeholder group on the paragraph of an adopted version",
            lambda: ask(
                screen,
                Fields(
                    f"Reservation on ¶{label}",
                    [Field("reason", "Reason"), VERSION],
                    confirm="Reserve",
                ),
                lambda wg, v: wg.reservations.reserve(
                    slug, label, reason=v["reason"], version=v["version"].strip() or None
                ),
                f"Reservation on ¶{label} recorded",
            ),
            needs=ACTION,
        )
    yield Command(
        f"Explain your group's position on {slug}",
        "An explanation of position of your stakeholder group on an adopted version",
        lambda: ask(
            screen,
            Fields(
                f"Explanation of position on {slug}",
                [Field("text", "Explanation"), VERSION],
                confirm="Record",
            ),
            lambda wg, v: wg.reservations.explain(
                slug, v["text"], version=v["version"].strip() or None
            ),
            f"Explanation of position on {slug} recorded",
        ),
        needs=ACTION,
    )
