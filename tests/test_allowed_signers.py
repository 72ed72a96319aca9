"""The ``allowed_signers`` file that ``verify`` writes lets plain git check every signature: each
key's window of commit times is exact and never empty, even when the secretariat rotates a key
twice within one second (which made ssh-keygen ignore the key's line)."""

from __future__ import annotations

import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import MEMBER_TECH, SECRETARIAT, git, new_key, sign_as
from wgtool.core.desks import WorkingGroup
from wgtool.core.exchange.verify import ALLOWED_SIGNERS, SignerWindow, signer_windows, verify
from wgtool.core.model import Kind

# -- the windows, against a plain reference ------------------------------------------------------

KEYS = [("a@example.org", "key-a"), ("a@example.org", "key-b"), ("b@example.org", "key-c")]
steps_strategy = st.lists(
    st.tuples(st.integers(100, 106), st.sets(st.sampled_from(KEYS))), min_size=1, max_size=12
)


def reference_windows(steps: list[tuple[int, set[tuple[str, str]]]]) -> Counter[SignerWindow]:
    """Each run of commits over which a key is held, plus the commit that ends the run, spelled
    out one key and one run at a time."""
    windows: Counter[SignerWindow] = Counter()
    for key in KEYS:
        index = 0
        while index < len(steps):
            if key not in steps[index][1]:
                index += 1
                continue
            start = index
            while index < len(steps) and key in steps[index][1]:
                index += 1
            ended = index < len(steps)
            times = [when for when, _ in steps[start : index + 1]]
            after = None if start == 0 else min(times)
            before = max(times) if ended else None
            if after is not None and before is not None and before == after:
                before = after + 1  # one second is the shortest window ssh-keygen accepts
            windows[SignerWindow(key, after, before)] += 1
    return windows


def admits(window: SignerWindow, when: int) -> bool:
    """What ssh-keygen decides at ``-Overify-time``: both ends count."""
    return (window.after is None or window.after <= when) and (
        window.before is None or when <= window.before
    )


@settings(deadline=None)  # timing is not what this checks
@given(steps_strategy)
def test_windows_match_the_reference_and_admit_every_commit_a_key_was_in_force_for(
    steps: list[tuple[int, set[tuple[str, str]]]],
) -> None:
    windows = signer_windows(steps)
    assert Counter(windows) == reference_windows(steps)
    for window in windows:
        # Never empty or inside out: ssh-keygen would ignore the line.
        assert window.after is None or window.before is None or window.after < window.before
    # A key signs the commits after the one that recorded it, through the one that replaced it.
    for index in range(1, len(steps)):
        when = steps[index][0]
        for key in steps[index - 1][1]:
            assert any(w.key == key and admits(w, when) for w in windows), (key, index)


# -- plain git checks every signature ------------------------------------------------------------


def test_two_rotations_within_one_second_leave_every_signature_checkable_by_plain_git(
    example_repo: Path, keys: dict[str, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sign_as(monkeypatch, keys[SECRETARIAT])
    with WorkingGroup.open(example_repo, SECRETARIAT) as wg:
        for handle, key in keys.items():
            wg.secretariat.set_member_key(handle, Path(f"{key}.pub").read_text())
        wg.secretariat.update_settings(signatures="required")
    # From here on every write happens within one second, on purpose.
    second = int(time.time()) + 1
    clock = lambda: float(second)  # noqa: E731
    key_one, key_two, key_three = (
        keys[MEMBER_TECH],
        *(new_key(tmp_path / "rotated", name) for name in ("mchen-2", "mchen-3")),
    )
    signed = []
    for key, text in ((key_one, "one"), (key_two, "two"), (key_three, "three")):
        if key != key_one:
            sign_as(monkeypatch, keys[SECRETARIAT])
            with WorkingGroup.open(example_repo, SECRETARIAT, clock=clock) as wg:
                wg.secretariat.set_member_key(MEMBER_TECH, Path(f"{key}.pub").read_text())
                signed.append(wg.record.main())
        sign_as(monkeypatch, key)
        with WorkingGroup.open(example_repo, MEMBER_TECH, clock=clock) as wg:
            proposed = wg.amendments.propose(
                "roles", kind=Kind.REPLACE, paragraph=1, text=f"Key {text}.", rationale="R."
            )
            signed.append(proposed.head)
    with WorkingGroup.open(example_repo, SECRETARIAT) as wg:
        report = verify(wg)
        assert report.problems == [], report.lines()
    allowed = example_repo / ".git" / "wgtool" / ALLOWED_SIGNERS

    # git log --show-signature, as a member without wgtool would run it, over every ref.
    shown = git(
        example_repo,
        "-c",
        f"gpg.ssh.allowedSignersFile={allowed}",
        "log",
        "--all",
        "--show-signature",
        "--format=commit %H %ct %G?",
    )
    verdicts = dict(
        line.split(" ", 2)[1:] for line in shown.splitlines() if line.startswith("commit ")
    )
    assert "signature for" in shown and "Could not verify" not in shown, shown
    for commit in signed:
        assert verdicts[commit] == f"{second} G", (commit, shown)
    assert [v for v in verdicts.values() if not v.endswith((" G", " N"))] == []
    assert f'valid-before="{time.strftime("%Y%m%d%H%M%S", time.gmtime(second + 1))}Z"' in (
        allowed.read_text()
    )  # key two's window: the second it was recorded and replaced in, and the next

    # ssh-keygen itself, on the commit key two signed, at the commit's time.
    payload, signature = split_signed_commit(git(example_repo, "cat-file", "commit", signed[2]))
    (tmp_path / "commit.sig").write_text(signature)
    checked = subprocess.run(
        [
            "ssh-keygen",
            "-Y",
            "verify",
            "-f",
            str(allowed),
            "-I",
            "meiling.chen@example.net",
            "-n",
            "git",
            "-s",
            str(tmp_path / "commit.sig"),
            f"-Overify-time={time.strftime('%Y%m%d%H%M%S', time.gmtime(second))}Z",
        ],
        input=payload,
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0 and "Good" in checked.stdout, checked.stderr
    assert "bad options" not in checked.stderr


def split_signed_commit(raw: str) -> tuple[str, str]:
    """The signed payload of a commit object (itself without its ``gpgsig`` header) and the
    armoured signature."""
    payload, signature, in_signature = [], [], False
    for line in raw.split("\n"):
        if line.startswith("gpgsig "):
            in_signature = True
            signature.append(line[len("gpgsig ") :])
        elif in_signature and line.startswith(" "):
            signature.append(line[1:])
        else:
            in_signature = False
            payload.append(line)
    return "\n".join(payload), "\n".join(signature) + "\n"
