"""The redline of ``wgtool redline`` without who made each change: the anchor of the attributed one.

    python benchmarks/plain_redline.py REPO SLUG OLD NEW

Everything ``wgtool redline SLUG OLD NEW`` does (the command line, opening the group, reading
both versions and their labels, the structured redline, printing it) except the attribution:
the ratio of the two is the price of naming who changed each paragraph.
"""

from __future__ import annotations

import sys

from wgtool.cli import Context
from wgtool.cli.documents import _print_redline
from wgtool.core.documents.redline import attributed_redline


def main() -> None:
    repo, slug, old, new = sys.argv[1:]
    with Context(repo, None).open() as wg:
        older, newer = wg.drafts.draft(slug, old), wg.drafts.draft(slug, new)
        old_labels = wg.drafts.labels_at(wg.drafts.version(slug, old).commit, slug, older.text)
        new_labels = wg.drafts.labels_at(wg.drafts.version(slug, new).commit, slug, newer.text)
        result = attributed_redline(older.text, newer.text, None, old_labels, new_labels)
        groups = wg.record.settings.groups
    _print_redline(result, groups, changed_only=False)


if __name__ == "__main__":
    main()
