"""Comments on a draft's paragraphs can be read: ``comments SLUG``, ``draft show --paragraph``,
``status``, and the compilation's ledger, each on the real CLI; they follow their paragraph
through insertions, renumbering and deletion."""

from __future__ import annotations

import json

from tests.conftest import CHAIR, MEMBER_CS, MEMBER_GOV, MEMBER_PS, MEMBER_TECH, SECRETARIAT, Wg


def comment(wgcli: Wg, label: str, text: str, actor: str, reply_to: str | None = None) -> str:
    extra = ("--reply-to", reply_to) if reply_to else ()
    return wgcli.ok(
        "comment", "principles", "--paragraph", label, text, *extra, actor=actor
    ).strip()


def merged(wgcli: Wg, *args: str) -> str:
    amendment = wgcli.ok("propose", "principles", *args, "--rationale", "Needed.", actor=MEMBER_PS)
    amendment = amendment.strip()
    wgcli.ok("position", amendment, "support", actor=MEMBER_CS)
    wgcli.ok("merge", amendment, actor=CHAIR)
    return amendment


def test_comments_by_paragraph_with_their_replies(wgcli: Wg) -> None:
    assert wgcli.ok("comments", "principles") == "No comments on the paragraphs of principles\n"
    asked = comment(wgcli, "5", "Does 'fragment' cover routing?", MEMBER_GOV)
    comment(wgcli, "3", "Name affordability first.", MEMBER_CS)
    answer = comment(wgcli, "5", "It does: see the technical note.", MEMBER_TECH, asked)
    listed = wgcli.ok("comments", "principles")
    assert listed == (
        "¶3: 1 comment\n"
        f"- [{listed.split('[')[1].split(']')[0]}] ndlamini (civil-society):\n"
        "    Name affordability first.\n"
        "\n"
        "¶5: 2 comments\n"
        f"- [{asked}] rsubramanian (governments):\n"
        "    Does 'fragment' cover routing?\n"
        f"    - [{answer}] mchen (technical-academic):\n"
        "        It does: see the technical note.\n"
    )
    only = wgcli.ok("comments", "principles", "--paragraph", "5")
    assert only.startswith("¶5: 2 comments\n") and "¶3" not in only
    data = json.loads(wgcli.ok("comments", "principles", "--paragraph", "5", "--json"))
    assert data == [
        {
            "label": "5",
            "deleted": False,
            "was": "5",
            "comments": [
                {
                    "id": asked,
                    "member": MEMBER_GOV,
                    "group": "governments",
                    "at": data[0]["comments"][0]["at"],
                    "text": "Does 'fragment' cover routing?",
                    "reply_to": None,
                    "replies": [
                        {
                            "id": answer,
                            "member": MEMBER_TECH,
                            "group": "technical-academic",
                            "at": data[0]["comments"][0]["replies"][0]["at"],
                            "text": "It does: see the technical note.",
                            "reply_to": asked,
                            "replies": [],
                        }
                    ],
                }
            ],
        }
    ]
    assert wgcli.ok("comments", "principles", "--paragraph", "4") == (
        "No comments on ¶4 of principles\n"
    )
    refused = wgcli("comments", "principles", "--paragraph", "99")
    assert refused.exit_code == 2 and "out of range" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1 and refused.stdout == ""


def test_one_paragraph_shows_its_comments(wgcli: Wg) -> None:
    asked = comment(wgcli, "5", "Does 'fragment' cover routing?", MEMBER_GOV)
    shown = wgcli.ok("draft", "show", "principles", "--paragraph", "5")
    first, rest = shown.split("\n", 1)
    assert first.startswith("    5. Enhanced cooperation should preserve")
    assert rest == (
        f"\n¶5: 1 comment\n- [{asked}] rsubramanian (governments):\n"
        "    Does 'fragment' cover routing?\n"
    )
    data = json.loads(wgcli.ok("draft", "show", "principles", "--paragraph", "5", "--json"))
    assert [c["text"] for c in data["comments"]] == ["Does 'fragment' cover routing?"]
    # A paragraph nobody commented on shows only its text.
    assert wgcli.ok("draft", "show", "principles", "--paragraph", "4").count("\n") == 1
    # A version is the text as tagged: its comments are on the current paragraph.
    wgcli.ok("tag", "principles", "v1", "--message", "First", actor=SECRETARIAT)
    versioned = wgcli.ok("draft", "show", "principles", "--version", "v1", "--paragraph", "5")
    assert versioned.count("\n") == 1


def test_the_ledger_counts_them_and_says_how_to_read_them(wgcli: Wg) -> None:
    comment(wgcli, "5", "Does 'fragment' cover routing?", MEMBER_GOV)
    comment(wgcli, "5", "And peering?", MEMBER_CS)
    comment(wgcli, "7", "Equal footing: keep.", MEMBER_PS)
    lines = wgcli.ok("status", "principles").splitlines()
    assert lines[1].split() == ["¶", "status", "brackets", "open", "comments", "pending", "on"]
    assert lines[2 + 4].split() == ["5", "open", "2"]
    assert lines[2 + 6].split() == ["7", "open", "1"]
    assert lines[-1] == (
        "Comments on ¶5, ¶7: 'wgtool comments principles --paragraph LABEL' reads them"
    )
    ledger = json.loads(wgcli.ok("status", "principles", "--json"))
    assert [p["comments"] for p in ledger][4:7] == [2, 0, 1]


def test_comments_follow_their_paragraph(wgcli: Wg) -> None:
    kept = comment(wgcli, "5", "Does 'fragment' cover routing?", MEMBER_GOV)
    gone = comment(wgcli, "3", "Name affordability first.", MEMBER_CS)
    merged(wgcli, "--insert-after", "2", "--text", "A new paragraph before the third.")
    assert wgcli.ok("comments", "principles", "--paragraph", "5").startswith("¶5: 1 comment")
    wgcli.ok("renumber", "principles", actor=SECRETARIAT)
    moved = json.loads(wgcli.ok("comments", "principles", "--json"))
    assert [(p["label"], p["comments"][0]["id"]) for p in moved] == [("4", gone), ("6", kept)]
    merged(wgcli, "--delete", "4")  # named by the label it was written on, ¶3
    listed = wgcli.ok("comments", "principles")
    assert listed.startswith("¶6: 1 comment\n")  # labels stay until the next renumbering
    assert listed.endswith(
        f"¶3 (deleted since): 1 comment\n- [{gone}] ndlamini (civil-society):\n"
        "    Name affordability first.\n"
    )
    data = json.loads(wgcli.ok("comments", "principles", "--json"))
    assert data[-1]["deleted"] is True and data[-1]["label"] is None and data[-1]["was"] == "3"
