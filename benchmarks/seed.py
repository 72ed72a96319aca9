"""Make a large working group fast: thousands of amendments with positions and comments.

The objects are the same as real use cases write (same trees, messages and trailers, same event
files); they are only written in bulk, with one ``git update-ref --stdin`` for all refs, so that
seeding 4,000 amendments takes seconds instead of minutes.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

from wgtool.core import document
from wgtool.core.gitstore import Person, format_message
from wgtool.core.model import Event, Stance
from wgtool.core.rulebook import AMENDMENTS_PREFIX, EVENTS_PREFIX
from wgtool.core.workgroup import WorkingGroup, draft_path

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
        store = wg.store
        main = wg.main()
        base_tree = store.commit(main).tree
        members = list(wg.roster)
        drafts = {slug: wg.draft(slug).text for slug in wg.draft_slugs()}
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
                f"Amendment {n} to paragraph {number} of {slug}",
                f"Rationale number {n}: the text should be {rng.choice(WORDS)}.",
                [
                    ("Amendment-Id", amendment_id),
                    ("Draft", slug),
                    ("Kind", "replace"),
                    ("Paragraph", str(number)),
                    ("Revision", "1"),
                    ("Member", proposer.handle),
                    ("Stakeholder-Group", proposer.group),
                ],
            )
            commit = store.write_commit(tree, [main], message, person, person)
            updates.append(f"create {AMENDMENTS_PREFIX}{amendment_id} {commit}")
            tip: str | None = None
            tip_tree: str | None = None
            for k in range(rng.randrange(0, 4)):
                member = rng.choice(members)
                event = Event(
                    id=f"{when + k:x}-{n:06x}{k}",
                    amendment=amendment_id,
                    type="position" if k < 3 else "comment",
                    member=member.handle,
                    group=member.group,
                    at=float(when + k),
                    revision=1,
                    stance=rng.choice(list(Stance)).value,
                    text="",
                )
                data = json.dumps(event.to_dict(), sort_keys=True, indent=1) + "\n"
                tip_tree = store.write_tree(tip_tree, {f"events/{event.id}.json": data.encode()})
                actor = Person(member.name, member.email, when + k)
                tip = store.write_commit(
                    tip_tree,
                    [tip] if tip else [],
                    format_message(
                        f"Position on amendment {amendment_id}",
                        "",
                        [
                            ("Amendment-Id", amendment_id),
                            ("Event", "position"),
                            ("Event-Id", event.id),
                            ("Member", member.handle),
                            ("Stakeholder-Group", member.group),
                        ],
                    ),
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
