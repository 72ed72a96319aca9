"""The consensus matrix: each stakeholder group's state and its members' positions."""

from __future__ import annotations

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from wgtool.api import Consensus
from wgtool.tui.render import safe

STATE_STYLES = {
    "support": "bold green",
    "no-objection": "green",
    "abstain": "",
    "object": "bold red",
    "not heard": "dim",
}


class ConsensusMatrix(Widget):
    """One row per stakeholder group: the group's state and who took which position, and why.

    Every group counts once whatever its size. A position taken on an earlier revision is
    marked "earlier revision" and does not count until it is confirmed; the proposer's own
    position is shown but never counted.
    """

    DEFAULT_CSS = """
    ConsensusMatrix { height: auto; }
    """

    consensus: reactive[Consensus | None] = reactive(None, layout=True)
    """The consensus to show (None: nothing yet)."""

    def render(self) -> RenderableType:
        consensus = self.consensus
        if consensus is None:
            return Text("")
        table = Table(expand=True, show_edge=False, pad_edge=False, box=None, header_style="bold")
        table.add_column("Group", ratio=2, overflow="fold")
        table.add_column("State", width=12, no_wrap=True)
        table.add_column("Positions", ratio=3, overflow="fold")
        for group in consensus.groups:
            positions = Text()
            for i, view in enumerate(group.positions):
                if i:
                    positions.append("; ")
                positions.append_text(safe(view.member, one_line=True))
                positions.append(f" {view.stance.value}", STATE_STYLES.get(view.stance.value, ""))
                if view.reason:  # why a group objects is what the chair decides on
                    positions.append(": ")
                    positions.append_text(safe(view.reason, one_line=True))
                if view.stale:
                    positions.append(" (earlier revision)", "italic dim")
                if view.proposer:
                    positions.append(" (proposer: not counted)", "italic dim")
            table.add_row(
                safe(group.name, one_line=True),
                Text(group.state, STATE_STYLES.get(group.state, "")),
                positions or Text("—", "dim"),
            )
        return table
