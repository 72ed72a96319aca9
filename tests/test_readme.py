"""The README is executable: every shell block a reader is meant to type is run here, command by
command, in one bash in a fresh folder, with the installed ``wgtool`` on the ``PATH`` and no
personal config; every command must succeed, and the comment beside it (or above it) is a claim
that a check below holds against what it printed and what it changed.

The rules a README block follows, which the first tests hold it to:

- a fenced block says what it holds (``sh``, ``toml``, ``yaml``, ``text``, ``nginx``); no
  indented code blocks (they would slip past unrun);
- a ``sh`` block is run, unless the line just above it is ``<!-- not run: why -->``;
- a command's claim is its trailing comment, else the comment lines just above it; every claim
  has its check in :data:`CLAIMS`, and every check its claim (a claim reworded, or a command
  changed so that its output no longer says what the comment says, fails here).

One walkthrough waits out a 72-hour silence: from the command whose claim says "after the
deadline", the processes' clock runs 73 hours ahead (a ``sitecustomize`` on their
``PYTHONPATH`` moves ``time.time``, the only clock wgtool reads), as a reader's would have.
"""

from __future__ import annotations

import json
import os
import re
import select
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

PROJECT = Path(__file__).resolve().parent.parent
README = PROJECT / "README.md"
KNOWN_INFO = {"sh", "toml", "yaml", "text", "nginx", "python"}
NOT_RUN_RE = re.compile(r"^<!-- not run: (?P<why>.+\S) -->$")
STEP_TIMEOUT = 600.0
"""Seconds a single command may take before the walkthrough is reported as hung (a guard, not a
timing assertion: the slowest command takes a few seconds on a loaded machine)."""
CLOCK_SHIFT_ENV = "README_TEST_CLOCK_SHIFT"
SITECUSTOMIZE = f'''\
"""Written by tests/test_readme.py: the clock of a process, moved on by ${CLOCK_SHIFT_ENV}
seconds, as if that much time had passed since the walkthrough began."""
import os
import time

_shift = float(os.environ.get("{CLOCK_SHIFT_ENV}") or 0)
if _shift:
    _real = time.time
    time.time = lambda: _real() + _shift
'''


# -- reading the README ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    line: int  # 1-based, the opening fence
    info: str
    text: str
    not_run: str | None  # why, when the block says it is not run
    section: str

    @property
    def runs(self) -> bool:
        return self.info == "sh" and self.not_run is None


@dataclass(frozen=True)
class Step:
    line: int
    command: str
    claim: str | None


def readme_blocks(text: str | None = None) -> tuple[list[Block], list[int]]:
    """The README's fenced blocks, and the lines of any indented code block."""
    source = README.read_text(encoding="utf-8") if text is None else text
    lines = source.split("\n")
    blocks, indented = [], []
    section = ""
    for token in MarkdownIt("commonmark").parse(source):
        assert token.map is not None or token.type.endswith("_close") or token.type == "inline"
        if token.type == "heading_open" and token.map:
            section = lines[token.map[0]].lstrip("#").strip()
        elif token.type == "code_block" and token.map:
            indented.append(token.map[0] + 1)
        elif token.type == "fence" and token.map:
            start = token.map[0]
            above = NOT_RUN_RE.match(lines[start - 1].strip()) if start else None
            blocks.append(
                Block(
                    start + 1,
                    token.info.strip(),
                    token.content,
                    above.group("why") if above else None,
                    section,
                )
            )
    return blocks, indented


def trailing_comment(line: str) -> tuple[str, str | None]:
    """A shell line cut at its comment (a ``#`` after a blank, outside quotes)."""
    quote: str | None = None
    escaped = False
    for index, char in enumerate(line):
        if escaped:
            escaped = False
        elif char == "\\" and quote != "'":
            escaped = True
        elif quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1] in " \t"):
            return line[:index].rstrip(), line[index + 1 :].strip()
    return line, None


def steps(block: Block) -> list[Step]:
    """The block's commands (lines joined at a trailing ``\\``), each with its claim."""
    found: list[Step] = []
    above: list[str] = []
    lines = block.text.split("\n")
    index = 0
    while index < len(lines):
        first = index
        line = lines[index]
        index += 1
        if not line.strip():
            above = []
            continue
        if line.lstrip().startswith("#"):
            above.append(line.lstrip()[1:].strip())
            continue
        parts = [line]
        while parts[-1].rstrip().endswith("\\") and index < len(lines):
            parts.append(lines[index])
            index += 1
        command = "\n".join(parts)
        _, claim = trailing_comment(parts[-1])
        claim = claim or (" ".join(above) if above else None)
        found.append(Step(block.line + 1 + first, command, claim))
        above = []
    return found


def walkthroughs() -> list[Block]:
    return [b for b in readme_blocks()[0] if b.runs]


# -- one bash, command by command ------------------------------------------------------------------


@dataclass(frozen=True)
class Done:
    """What a command did: its exit status and what it wrote."""

    status: int
    out: str
    err: str


class Shell:
    """One bash for a whole block, as a reader's terminal: variables and the folder carry over
    from one command to the next. Each command's output goes to files; bash itself only says
    when a command is done."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder = folder
        self.outputs = folder.parent / f"{folder.name}-outputs"
        self.outputs.mkdir()
        self.count = 0
        self.bash = subprocess.Popen(
            ["bash", "--noprofile", "--norc"],
            cwd=folder,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )

    def run(self, command: str) -> Done:
        """Run ``command`` as typed (its stdin empty: nothing waits for a reader's input)."""
        self.count += 1
        base = self.outputs / str(self.count)
        self._send(
            f"{{ {command}\n}} </dev/null >{base}.out 2>{base}.err; echo $? >{base}.status\n"
        )
        return Done(
            int((base.with_suffix(".status")).read_text()),
            base.with_suffix(".out").read_text(),
            base.with_suffix(".err").read_text(),
        )

    def check(self, command: str) -> str:
        """A command a check runs to look at the record (not one of the README's): its
        output, which it must give with status 0."""
        done = self.run(command)
        assert done.status == 0, (command, done)
        return done.out

    def value(self, name: str) -> str:
        return self.check(f'printf "%s" "${name}"')

    def _send(self, text: str) -> None:
        assert self.bash.stdin is not None and self.bash.stdout is not None
        mark = f"__done_{self.count}__"
        self.bash.stdin.write(text + f"echo {mark}\n")
        self.bash.stdin.flush()
        while True:
            ready, _, _ = select.select([self.bash.stdout], [], [], STEP_TIMEOUT)
            assert ready, f"no answer from bash after {STEP_TIMEOUT} s: {text!r}"
            line = self.bash.stdout.readline()
            assert line, f"bash ended: {text!r}"
            if line.strip() == mark:
                return

    def close(self) -> None:
        if self.bash.stdin is not None:
            self.bash.stdin.close()
        self.bash.wait()


@pytest.fixture
def shell(tmp_path: Path) -> Iterator[Shell]:
    """A fresh folder and a bash in it: the installed ``wgtool`` first on the PATH, git and
    wgtool configured by nothing of the developer's (conftest's ``isolated_git``), UTC."""
    hooks = tmp_path / "clock"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(SITECUSTOMIZE)
    folder = tmp_path / "reader"
    folder.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("WGTOOL_", "PYTEST_", "COV_"))
    }
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        PYTHONPATH=str(hooks),
        TZ="UTC",
        GIT_PAGER="cat",
        PAGER="cat",
        NO_COLOR="1",
    )
    opened = Shell(folder, env)
    yield opened
    opened.close()


# -- the claims ------------------------------------------------------------------------------------


Check = Callable[[Done, Shell], None]


@dataclass(frozen=True)
class Claim:
    check: Check
    before: Callable[[Shell], None] | None = None


def says(*phrases: str) -> Check:
    """The command printed each phrase (in this order) on stdout."""

    def check(done: Done, shell: Shell) -> None:
        position = 0
        for phrase in phrases:
            found = done.out.find(phrase, position)
            assert found >= 0, (phrase, done.out)
            position = found + len(phrase)

    return check


def flat(text: str) -> str:
    return " ".join(text.split())


P5_AFTER_A2 = (
    "Measures that would fragment the network, restrict access to it, impair the "
    "[free exchange of information] across it"
)


def first_reading(done: Done, shell: Shell) -> None:
    for slug in ("principles", "roles"):
        [version] = json.loads(shell.check(f"wgtool --repo wg versions {slug} --json"))
        assert version["name"] == "first-reading" and version["tagger"] == "Elena Petrova"
    members = json.loads(shell.check("wgtool --repo wg member list --json"))
    assert len(members) == 11


def acting(done: Done, shell: Shell) -> None:
    """The three ways of naming the acting member name the same one."""

    def who(command: str) -> str:
        return json.loads(shell.check(command))["member"]

    assert who("wgtool inbox --peek --json") == "mchen"
    assert who("wgtool --as ndlamini inbox --peek --json") == "ndlamini"
    by_email = (
        "(unset WGTOOL_MEMBER; GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=user.email "
        "GIT_CONFIG_VALUE_0=meiling.chen@example.net wgtool inbox --peek --json)"
    )
    assert who(by_email) == "mchen"


def numbered(done: Done, shell: Shell) -> None:
    assert done.out.startswith("# Overarching principles")
    for number in (1, 5, 17):
        assert f"\n{number:>5}. " in done.out
    assert "\n   18. " not in done.out


def shown(done: Done, shell: Shell) -> None:
    amendment = shell.value("ID")
    says(
        f"Amendment {amendment}",
        "global{+, secure+} and interoperable",
        "Rationale:\n    Security keeps the network open.",
        "Consensus: reached",
        "Civil society",
        "ndlamini: support: Agreed.",
        "Comments:",
        "therrera (civil-society):\n    Could we also say 'resilient'?",
    )(done, shell)


def inbox_news(done: Done, shell: Shell) -> None:
    amendment = shell.value("ID")
    says(
        "Everything so far (your first look in this clone):",
        f"{amendment}  principles ¶5  open",
        "[yours]",
        "ndlamini (civil-society): support: Agreed.",
        "therrera (civil-society) commented: Could we also say 'resilient'?",
    )(done, shell)


def merged(done: Done, shell: Shell) -> None:
    amendment = shell.value("ID")
    says(f"Merged {amendment} into principles", "Adopted with consensus reached")(done, shell)
    assert json.loads(shell.check(f"wgtool show {amendment} --json"))["status"] == "merged"


def redline_named(done: Done, shell: Shell) -> None:
    amendment = shell.value("ID")
    says(
        "Redline of principles from first-reading to v1\n",
        "    5. Enhanced cooperation should preserve and promote a single, open, "
        "global{+, secure+} and interoperable Internet.",
        f"— amendment {amendment} by mchen (Technical and academic community)",
    )(done, shell)
    assert done.out.count("{+") == 1 and "[-" not in done.out


def log_attributed(done: Done, shell: Shell) -> None:
    amendment = shell.value("ID")
    says(
        "Author:     Mei-Ling Chen <meiling.chen@example.net>",
        "Commit:     Laila Haddad <laila.haddad@example.org>",
    )(done, shell)
    trailers = flat(done.out)
    for trailer in (f"Amendment-Id: {amendment}", "Proposed-by: mchen", "Merged-by: lhaddad"):
        assert trailer in trailers, trailer


def remote_printed(done: Done, shell: Shell) -> None:
    remote = (shell.folder / "wg.git").resolve()
    says("Created an empty remote in wg.git", f"  git remote add origin {remote}\n")(done, shell)
    assert (remote / "HEAD").exists()


def guarded(done: Done, shell: Shell) -> None:
    hook = shell.folder / "wg.git" / "hooks" / "pre-receive"
    assert "guard check" in hook.read_text() and os.access(hook, os.X_OK)


def remote_added(done: Done, shell: Shell) -> None:
    printed = (shell.outputs / "1.out").read_text()  # what init --bare printed
    assert f"git remote add origin {shell.check('git remote get-url origin').strip()}" in printed


def remote_filled(done: Done, shell: Shell) -> None:
    tips = shell.check("git for-each-ref --format='%(refname)' refs/heads refs/tags")
    remote = shell.check("git --git-dir=../wg.git for-each-ref --format='%(refname)'")
    assert set(tips.split()) <= set(remote.split()), (tips, remote)
    assert "refs/tags/principles/first-reading" in remote.split()


def cloned(done: Done, shell: Shell) -> None:
    says(
        "Cloned 'Working Group on Enhanced Cooperation' into copy",
        "Next: say who you are.",
        "git -C copy config user.email EMAIL",
    )(done, shell)


def same_record(done: Done, shell: Shell) -> None:
    says("New versions:", "principles/first-reading (tagged by Elena Petrova)")(done, shell)
    here = shell.check("git -C copy rev-parse main")
    assert here == shell.check("git -C wg rev-parse main")
    versions = json.loads(shell.check("wgtool --repo copy versions principles --json"))
    assert [v["name"] for v in versions] == ["first-reading"]


def bracket_id(done: Done, shell: Shell) -> None:
    bracket = shell.value("B")
    [found] = json.loads(shell.check("wgtool brackets principles --json"))
    assert found["id"] == bracket and found["words"] == "free exchange of information"
    assert found["held_by"] == ["governments"]


def bracketed_words(done: Done, shell: Shell) -> None:
    assert "impair the [free exchange of information] across it" in done.out


def first_text(done: Done, shell: Shell) -> None:
    first = json.loads(shell.check(f"wgtool show {shell.value('A1')} --json"))
    assert first["status"] == "open" and first["paragraph"] == 5
    assert "impair the lawful exchange of information" in first["new_text"]


def alternatives(done: Done, shell: Shell) -> None:
    first, second = shell.value("A1"), shell.value("A2")
    shown_second = shell.check(f"wgtool show {second}")
    says(
        "Alternatives for this passage:",
        f"  Alt 1: {first}",
        f"* Alt 2: {second}",
    )(Done(0, shown_second, ""), shell)
    assert json.loads(shell.check(f"wgtool show {second} --json"))["alternative_to"] == first


def cosponsored(done: Done, shell: Shell) -> None:
    second = shell.value("A2")
    says(f"kwatanabe (private-sector): co-sponsor {second}")(done, shell)
    says("Co-sponsors: kwatanabe (private-sector): 2 stakeholder group(s) with the proposer's")(
        Done(0, shell.check(f"wgtool show {second}"), ""), shell
    )


def not_adopted(done: Done, shell: Shell) -> None:
    first, second = shell.value("A1"), shell.value("A2")
    says(f"Merged {second} into principles")(done, shell)
    shown_first = shell.check(f"wgtool show {first}")
    assert f"Status:    not-adopted: alternative {second} was adopted instead" in shown_first


def bracket_followed(done: Done, shell: Shell) -> None:
    bracket = shell.value("B")
    says(f"{bracket}  principles ¶5", "open", "“free exchange of information”")(done, shell)
    paragraph = shell.check("wgtool draft show principles --paragraph 5")
    assert P5_AFTER_A2 in paragraph, paragraph  # on its words, which the merge moved


def comments_read(done: Done, shell: Shell) -> None:
    says("¶5: 1 comment", "amoreira (governments):\n    Our capital reads 'access' broadly.")(
        done, shell
    )


def ledger(done: Done, shell: Shell) -> None:
    row = next(line for line in done.out.splitlines() if line.startswith("5 "))
    assert row.split() == ["5", "agreed-ad-ref", "1", "governments"], row  # 1: the comment


def confirmed(done: Done, shell: Shell) -> None:
    says("¶5 of principles: agreed")(done, shell)
    [five] = [p for p in json.loads(shell.check("wgtool status principles --json"))][4:5]
    assert five["status"] == "agreed" and five["pending_on"] == []


def silence_started(done: Done, shell: Shell) -> None:
    [silence] = json.loads(shell.check("wgtool silence list --json"))
    assert silence["id"] == shell.value("S") and silence["state"] == "running"


def three_days(done: Done, shell: Shell) -> None:
    says(f"{shell.value('S')}  draft principles", "running (3 days left)")(done, shell)


def after_the_deadline(shell: Shell) -> None:
    shell.check(f"export {CLOCK_SHIFT_ENV}={73 * 3600}")


def concluded(done: Done, shell: Shell) -> None:
    says("Silence concluded: adopted as principles/second-reading")(done, shell)
    tag = shell.check("git cat-file -p refs/tags/principles/second-reading")
    assert f"Silence: {shell.value('S')}" in tag


FOCUS_LOG = "Focus on paragraph 5 of draft principles"


def focus_count(shell: Shell) -> int:
    return int(shell.check("git rev-list --count refs/wg/events/draft-principles").strip())


def focused(done: Done, shell: Shell) -> None:
    says("The room is on ¶5 of principles\n")(done, shell)
    assert focus_count(shell) == 1


def focused_revised(done: Done, shell: Shell) -> None:
    says("The room is on ¶5 of principles, as orally revised\n")(done, shell)
    assert focus_count(shell) == 2


def focused_already(done: Done, shell: Shell) -> None:
    says("as orally revised already: nothing written")(done, shell)
    assert focus_count(shell) == 2


def focus_course(done: Done, shell: Shell) -> None:
    assert done.out.splitlines() == [FOCUS_LOG, FOCUS_LOG], done.out


def versions_listed(done: Done, shell: Shell) -> None:
    names = [line.split()[0] for line in done.out.splitlines()]
    assert names == ["first-reading", "second-reading"], done.out
    assert "Laila Haddad" in done.out.splitlines()[1]


def publish_level(done: Done, shell: Shell) -> None:
    assert 'publish = "amendments"' in shell.check("git show main:wg.toml")
    says("Published:   amendments")(done, shell)


def published(done: Done, shell: Shell) -> None:
    says("Published 2 draft(s) and 2 version(s) into ../site")(done, shell)
    site = shell.folder / "site"
    pages = ["index.html", "feed.atom", "drafts/principles/index.html"]
    pages += ["drafts/principles/amendments.html", "drafts/roles/versions/first-reading.html"]
    for page in pages:
        assert (site / page).is_file(), page


def published_again(done: Done, shell: Shell) -> None:
    site = shell.folder / "site"
    earlier = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    shell.check("wgtool publish ../site")
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == earlier
    assert [p.name for p in shell.folder.iterdir() if p.name.startswith(".site")] == []


def translated(done: Done, shell: Shell) -> None:
    says("Translated principles into fr: 4 of ")(done, shell)
    untranslated = [line for line in done.err.splitlines() if "is not translated" in line]
    assert "wgtool: fr.md: 3 of principles is not translated" in untranslated, done.err
    assert "Action: translate" in shell.check("git log -1 --format=%B main")


def languages_listed(done: Done, shell: Shell) -> None:
    says("principles: authentic language en", "fr ", "stale: -", "missing: 3, 4, h3, 5")(
        done, shell
    )


def sub_amendment_tabled(done: Done, shell: Shell) -> None:
    sub, parent = shell.value("S"), shell.value("P")
    assert re.fullmatch(r"[0-9a-f]{8}", sub), sub
    message = shell.check(f"git log -1 --format=%B refs/wg/amendments/{sub}")
    assert f"Amends: {parent}" in message and "Amends-Revision: " in message


def sub_amendment_shown(done: Done, shell: Shell) -> None:
    says(f"Amends:    amendment {shell.value('P')} by kwatanabe", "{+ on an equal footing+}")(
        done, shell
    )


def awaits_authentic(done: Done, shell: Shell) -> None:
    says("Language:  fr: awaits the authentic text (en)")(done, shell)
    refused = shell.run(f"wgtool --as lhaddad merge {shell.value('P')}")
    assert refused.status == 1 and "awaits the authentic text" in refused.err, refused


def stale_marked(done: Done, shell: Shell) -> None:
    says("1. Le Groupe de travail reconnaît que le réseau est une ressource mondiale. [stale]")(
        done, shell
    )
    assert "2. Internet est un réseau de réseaux.\n" in done.out


def marked_for_translator(done: Done, shell: Shell) -> None:
    text = (shell.folder / "wg" / "to-translate.md").read_text()
    assert "<!-- 1 stale -->\nLe Groupe de travail" in text and "<!-- 3 -->\nMindful" in text


def right_to_left(done: Done, shell: Shell) -> None:
    page = (shell.folder / "wg" / "ar.html").read_text()
    assert '<html lang="ar" dir="rtl">' in page and "يعترف الفريق العامل" in page


def sub_amendments_listed(done: Done, shell: Shell) -> None:
    says("Sub-amendments:", f"{shell.value('S')}  mchen (technical-academic)  open; consensus")(
        done, shell
    )


def sub_amendment_under(done: Done, shell: Shell) -> None:
    lines = done.out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(shell.value("P")))
    assert lines[at + 1].startswith(f"  ↳ {shell.value('S')}  sub-amendment by mchen"), lines


def sub_amendment_accepted(done: Done, shell: Shell) -> None:
    parent, sub = shell.value("P"), shell.value("S")
    says(f"Accepted {sub} into {parent} (revision 2)")(done, shell)
    path = "drafts/principles.md"
    assert shell.check(f"git show refs/wg/amendments/{parent}:{path}") == shell.check(
        f"git show refs/wg/amendments/{sub}:{path}"
    )


def sub_amendment_merged(done: Done, shell: Shell) -> None:
    parent = shell.value("P")
    says(f"Merged {shell.value('S2')} into amendment {parent} (revision 3)")(done, shell)
    message = shell.check(f"git log -1 --format=%B refs/wg/amendments/{parent}")
    assert "Merged-by: lhaddad" in message and "Consensus: reached" in message


# Numbers, the order of consideration and the chair's text


def _numbers(shell: Shell) -> dict[str, int]:
    listed = json.loads(shell.check("wgtool amendments principles --json"))
    return {a["id"]: a["number"] for a in listed}


def numbered_listing(done: Done, shell: Shell) -> None:
    numbers = _numbers(shell)
    assert sorted(numbers.values()) == [1, 2, 3, 4]
    for line in done.out.splitlines():
        assert f" Am. {numbers[line.split()[0]]} " in line, line


def numbered_three(done: Done, shell: Shell) -> None:
    [third] = [i for i, n in _numbers(shell).items() if n == 3]
    assert done.out == shell.check(f"wgtool show {third}")
    assert done.out.startswith(f"Amendment {third} (Am. 3): ")


def considered(done: Done, shell: Shell) -> None:
    found = json.loads(shell.check("wgtool order principles --json"))
    items = [(i["where"], [a["id"] for a in i["amendments"]]) for i in found["order"]]
    ids = {name: shell.value(name) for name in "ADRI"}
    assert items == [
        ("after ¶2", [ids["I"]]),
        ("¶5", [ids["D"]]),
        ("¶5", [ids["R"]]),
        ("¶5", [ids["A"]]),
    ]
    assert done.out.splitlines()[1] == "  1. after ¶2"


def chair_conflict(done: Done, shell: Shell) -> None:
    numbers, first, rewrite = _numbers(shell), shell.value("A"), shell.value("R")
    says(
        f"Applied, in the order of consideration: Am. {numbers[rewrite]} ({rewrite})",
        f"<<< CONFLICT in ¶5: Am. {numbers[first]} ({first}) is not applied",
        "    the text reads:   Enhanced cooperation should keep the Internet one open network.",
        "global, secure and interoperable Internet.",
        "    5. Enhanced cooperation should keep the Internet one open network.",
    )(done, shell)


def nothing_recorded(done: Done, shell: Shell) -> None:
    page = (shell.folder / "chair.html").read_text()
    assert "Chair&#39;s text" in page and "The Internet belongs to all who use it." in page
    refs = shell.check("git for-each-ref --format='%(refname)' refs/wg").split()
    assert sorted(refs) == sorted(f"refs/wg/amendments/{shell.value(n)}" for n in "ADRI")
    assert shell.check("git status --porcelain") == ""


CLAIMS: dict[str, Claim] = {
    # A working group in five minutes
    "starter drafts, each tagged first-reading; a sample roster": Claim(first_reading),
    "or --as HANDLE, or git's user.email from the roster": Claim(acting),
    "numbered paragraphs": Claim(numbered),
    "word diff, rationale, consensus by group, thread": Claim(shown),
    "what changed since you last looked, per amendment": Claim(inbox_news),
    "chair; exit 3 with the conflicting words on a conflict": Claim(merged),
    "names both versions; ¶5 with who changed it": Claim(redline_named),
    "author = proposer, committer = chair, trailers": Claim(log_attributed),
    # sharing a working group
    "prints the lines to type in the group": Claim(remote_printed),
    "the remote refuses pushes that break the rules": Claim(guarded),
    "the line init --bare printed": Claim(remote_added),
    "fills the remote: main, amendments, events, versions": Claim(remote_filled),
    "says whom wgtool acts as there, or how to say it": Claim(cloned),
    "the same record, in the other clone": Claim(same_record),
    # Agreement as data
    "The chair brackets words of paragraph 5 that one group holds; prints the bracket's id.": (
        Claim(bracket_id)
    ),
    "... impair the [free exchange of information] across it ...": Claim(bracketed_words),
    "Two texts for the passage: the second is an alternative to the first (Alt 1, Alt 2).": (
        Claim(first_text)  # and, once the second is tabled, FOLLOW_UPS
    ),
    "co-sponsors across groups are shown and counted": Claim(cosponsored),
    'Alt 1 is now "not-adopted", with a link to Alt 2': Claim(not_adopted),
    "the bracket followed its words through the merge": Claim(bracket_followed),
    "the comments on ¶5, with their replies": Claim(comments_read),
    "the ledger: 5  agreed-ad-ref  ...  governments": Claim(ledger),
    "the capital confirmed": Claim(confirmed),
    "The text as it stands, under silence for 72 hours; any member may break it before then "
    "(wgtool silence break ID --reason R: an objection from their group).": Claim(silence_started),
    "running (3 days left)": Claim(three_days),
    "after the deadline, unbroken: tags the version": Claim(concluded, before=after_the_deadline),
    "second-reading, tagged by the chair under silence": Claim(versions_listed),
    # Publishing for observers
    "observers see amendments too, not positions": Claim(publish_level),
    "index.html, a page per draft and version, feed.atom": Claim(published),
    "the same bytes again: the earlier site is replaced": Claim(published_again),
    # The meeting room
    "The chair puts paragraph 5 before the room: one small event in the draft's chain.": (
        Claim(focused)
    ),
    "as orally revised": Claim(focused_revised),
    "already there: nothing written": Claim(focused_already),
    "the meeting's course, newest first": Claim(focus_course),
    # One text in several languages
    "names each paragraph it leaves untranslated on stderr": Claim(translated),
    "the authentic language, and each translation's state": Claim(languages_listed),
    "Language: fr: awaits the authentic text (en)": Claim(awaits_authentic),
    "1. Le Groupe de travail ... [stale]": Claim(stale_marked),
    "each paragraph marked by its label, for the translator": Claim(marked_for_translator),
    '<html lang="ar" dir="rtl">': Claim(right_to_left),
    # Amendments to amendments
    "A member proposes a change to the amendment's text; prints the sub-amendment's id.": (
        Claim(sub_amendment_tabled)
    ),
    "the change to the amendment's text, and what it amends": Claim(sub_amendment_shown),
    "its sub-amendments: proposer, group, status, consensus": Claim(sub_amendments_listed),
    "each sub-amendment listed under its amendment": Claim(sub_amendment_under),
    "revision 2 of the amendment reads as the sub-amendment": Claim(sub_amendment_accepted),
    "the chair, on its consensus: revision 3 of the amendment": Claim(sub_amendment_merged),
    # Numbers, the order of consideration and the chair's text
    "each with its number: Am. 1 to Am. 4": Claim(numbered_listing),
    "the amendment numbered 3, as by its id": Claim(numbered_three),
    "after ¶2 the insertion; at ¶5 the deletion, then the furthest": Claim(considered),
    "the rewrite applied; the other in conflict, both texts shown": Claim(chair_conflict),
    "nothing is recorded": Claim(nothing_recorded),
}
"""Each claim of the README's walkthroughs and what checks it."""

FOLLOW_UPS: dict[str, Check] = {"A2=": alternatives}
"""Checks that belong to a claim made above an earlier command (the two texts are checked once
the second exists)."""


# -- the README's own rules ------------------------------------------------------------------------


def test_every_block_says_what_it_holds_and_whether_it_is_run() -> None:
    blocks, indented = readme_blocks()
    assert indented == [], f"indented code blocks at lines {indented}: fence them"
    for block in blocks:
        assert block.info in KNOWN_INFO, (block.line, block.info)
        if block.not_run is not None:
            assert block.info == "sh", (block.line, "only shell blocks are run at all")
    assert len(walkthroughs()) >= 3


def test_the_two_commands_at_the_top_stay_and_ci_runs_the_readmes_test_command() -> None:
    blocks, _ = readme_blocks()
    demo, tests = blocks[0], blocks[1]
    assert demo.text == (
        "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/wgtool demo\n"
    )
    assert tests.text == (
        "python3 -m venv .venv && .venv/bin/pip install -e '.[dev]' && "
        ".venv/bin/python -m pytest -q -n auto\n"
    )
    assert not demo.runs and not tests.runs
    ci = (PROJECT / ".ci" / "run").read_text().splitlines()
    assert ci[-1] == ".venv/bin/python -m pytest -q -n auto" == tests.text.split(" && ")[-1].strip()
    assert ".venv/bin/pip install --quiet -e '.[dev]'" in ci


def test_every_claim_has_its_check_and_every_check_its_claim() -> None:
    claims = {s.claim for b in walkthroughs() for s in steps(b) if s.claim is not None}
    assert claims - set(CLAIMS) == set(), "claims without a check"
    assert set(CLAIMS) - claims == set(), "checks whose claim is gone"


def test_the_reading_rules_on_a_sample() -> None:
    sample = (
        "# Title\n\n<!-- not run: a server -->\n```sh\nrm -rf /srv\n```\n\n"
        '```sh\n# Above: a claim.\nX=$(wgtool a \\\n   --b "# not a comment")\n'
        "wgtool c 'd # e'   # beside\n\nwgtool f\n```\n\n    indented\n"
    )
    blocks, indented = readme_blocks(sample)
    assert [b.not_run for b in blocks] == ["a server", None] and indented == [17]
    assert [(s.command, s.claim) for s in steps(blocks[1])] == [
        ('X=$(wgtool a \\\n   --b "# not a comment")', "Above: a claim."),
        ("wgtool c 'd # e'   # beside", "beside"),
        ("wgtool f", None),
    ]


# -- the walkthroughs ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "block", walkthroughs(), ids=lambda b: f"line-{b.line}-{b.section.split(':')[0].lower()}"
)
def test_the_walkthrough_runs_as_written(block: Block, shell: Shell) -> None:
    for step in steps(block):
        claim = CLAIMS.get(step.claim) if step.claim else None
        if claim is not None and claim.before is not None:
            claim.before(shell)
        done = shell.run(step.command)
        where = f"README line {step.line}: {step.command!r}"
        assert done.status == 0, f"{where} exited {done.status}:\n{done.err}{done.out}"
        assert "Traceback" not in done.err, f"{where}:\n{done.err}"
        assert "placeholder" not in done.err, f"{where} wrote a placeholder:\n{done.err}"
        if claim is not None:
            try:
                claim.check(done, shell)
            except AssertionError as error:
                raise AssertionError(f"{where}: not as claimed ({step.claim}): {error}") from None
        for start, check in FOLLOW_UPS.items():
            if step.command.startswith(start):
                check(done, shell)
