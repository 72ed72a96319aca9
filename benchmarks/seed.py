"""Make a large working group fast: thousands of amendments with positions and comments.

The objects are the same as real use cases write: the trailers, messages and event files come
from the functions the use cases call, so that ``wgtool verify`` on a seeded group finds nothing
to report. They are only written in bulk, with one ``git update-ref --stdin`` for all refs, so
that seeding 4,000 amendments takes seconds instead of minutes.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's wgtool

from wgtool.core import document
from wgtool.core.desks import WorkingGroup
from wgtool.core.desks.amendments import amendment_trailers
from wgtool.core.desks.chains import event_file, event_message
from wgtool.core.model import Event, Kind, Stance
from wgtool.core.record.gitstore import Person
from wgtool.core.record.messages import format_message
from wgtool.core.record.rulebook import AMENDMENTS_PREFIX, EVENTS_PREFIX, draft_path

WORDS = (
    "effective",
    "meaningful",
    "inclusive",
    "transparent",
    "timely",
    "balanced",
    "open",
    "secure",
    "accountable",
    "sustainable",
    "equitable",
    "coordinated",
)


def seed(path: Path, amendments: int = 4000, *, rng_seed: int = 7) -> Path:
    """Create a working group at ``path`` with ``amendments`` open amendments and deliberation."""
    rng = random.Random(rng_seed)
    wg = WorkingGroup.init(path, title="Benchmark working group", example=True)
    try:
        store = wg.record.store
        main = wg.record.main()
        base_tree = store.commit(main).tree
        members = list(wg.record.roster)
        drafts = {slug: wg.drafts.draft(slug).text for slug in wg.drafts.draft_slugs()}
        updates: list[str] = []
        start = 1_700_000_000
        for n in range(amendments):
            slug = rng.choice(sorted(drafts))
            text = drafts[slug]
            paras = document.paragraphs(text)
            number = rng.randrange(1, len(paras) + 1)
            words = paras[number - 1].text.split(" ")
            at = rng.randrange(1, len(words))
            words.insert(at, f"{rng.choice(WORDS)}-{n}")
            new_text = document.replace_paragraph(text, number, " ".join(words))
            proposer = rng.choice(members)
            when = start + n * 60
            person = Person(proposer.name, proposer.email, when)
            amendment_id = f"{n:08x}"
            tree = store.write_tree(base_tree, {draft_path(slug): new_text.encode()})
            message = format_message(
                Kind.REPLACE.default_title(number, slug),
                f"Rationale number {n}: the text should be {rng.choice(WORDS)}.",
                amendment_trailers(proposer, amendment_id, slug, Kind.REPLACE, number, 1),
            )
            commit = store.write_commit(tree, [main], message, person, person)
            updates.append(f"create {AMENDMENTS_PREFIX}{amendment_id} {commit}")
            tip: str | None = None
            tip_tree: str | None = None
            for k in range(rng.randrange(0, 5)):  # up to three positions and a comment
                member = rng.choice(members)
                at = float(when + k)
                comment = k == 3
                event = Event(
                    id=f"{int(at * 1000):x}-{rng.getrandbits(24):06x}",
                    amendment=amendment_id,
                    type="comment" if comment else "position",
                    member=member.handle,
                    group=member.group,
                    at=at,
                    revision=1,
                    stance=None if comment else rng.choice(list(Stance)).value,
                    text=f"Comment number {n}." if comment else "",
                )
                tip_tree = store.write_tree(
                    tip_tree, {f"events/{event.id}.json": event_file(event)}
                )
                actor = Person(member.name, member.email, int(at))
                tip = store.write_commit(
                    tip_tree,
                    [tip] if tip else [],
                    event_message(event, member, main),
                    actor,
                    actor,
                )
            if tip:
                updates.append(f"create {EVENTS_PREFIX}{amendment_id} {tip}")
        store.run(["update-ref", "--stdin"], input=("\n".join(updates) + "\n").encode())
    finally:
        wg.close()
    return path


if __name__ == "__main__":
    target = Path(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 4000
    seed(target, count)
    print(f"seeded {count} amendments in {target}")
