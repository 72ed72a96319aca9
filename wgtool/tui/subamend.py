"""How the amendment screen speaks of amendments to amendments: the sub-amendments under an
amendment, how a sub-amendment was decided, and why one may not be amended or accepted."""

from __future__ import annotations

from rich.text import Text

from wgtool.api import AmendmentDetail, Kind, Status
from wgtool.tui.render import safe, status_text, verdict_words


def sub_amendments_text(view: AmendmentDetail) -> Text:
    """The sub-amendments to an amendment, each with its proposer, group, status and
    consensus (the queue lists them under the amendment)."""
    text = Text(f"Sub-amendments ({len(view.sub_amendments)})", "bold")
    for sub in view.sub_amendments:
        consensus = view.sub_consensus.get(sub.id)
        text.append(f"\n  {sub.id}  ")
        text.append_text(safe(f"{sub.proposer} ({sub.group})", one_line=True))
        text.append("  ")
        text.append_text(status_text(sub.status))
        if consensus is not None:
            text.append(f" · consensus {verdict_words(consensus)}", "dim")
        if sub.merged_by:
            how = "accepted by" if sub.merged_by == view.amendment.proposer else "merged by"
            text.append_text(safe(f" · {how} {sub.merged_by}", one_line=True))
        text.append(" · ")
        text.append_text(safe(sub.title, "italic", one_line=True))
    return text


def sub_decision(view: AmendmentDetail) -> Text:
    """How a sub-amendment was decided: taken into its amendment, or lapsed with it."""
    a, parent = view.amendment, view.parent
    if a.status is Status.ACCEPTED:
        by_proposer = parent is not None and a.merged_by == parent.proposer
        text = Text("Accepted" if by_proposer else "Merged", "bold green")
        text.append_text(safe(f" into amendment {a.amends} by {a.merged_by}", one_line=True))
        return text
    text = Text("Lapsed: ", "bold")
    text.append(f"amendment {a.amends} was decided or revised since this was proposed.")
    return text


def sub_unavailable(view: AmendmentDetail, member: str, action: str) -> str | None:
    """Why ``member`` may not amend the amendment (or accept the sub-amendment) now."""
    a = view.amendment
    if action == "amend":
        if a.amends is not None:
            return f"amendment {a.id} is itself a sub-amendment: amend {a.amends} instead"
        if a.kind not in (Kind.REPLACE, Kind.INSERT):
            return f"amendment {a.id} has no paragraph text to amend here (use wgtool propose --to)"
    elif a.amends is None or view.parent is None:
        return f"amendment {a.id} is no sub-amendment"
    elif view.parent.proposer != member:
        return f"only the proposer ({view.parent.proposer}) of amendment {a.amends} can accept it"
    if a.status is not Status.OPEN:
        return f"cannot {action} amendment {a.id}: it is {a.status.value}"
    return None
