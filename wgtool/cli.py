"""The command line: each command is a thin call into a core use case.

Errors from the core become one line on stderr (``wgtool: ...``) and the error's exit code.
Text written by members is passed through :func:`terminal_safe` before it reaches the terminal.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from wgtool.core import validate
from wgtool.core.errors import MergeConflict, WgError
from wgtool.core.model import Amendment, Consensus, Kind, Stance, Status
from wgtool.core.safe import terminal_safe

if TYPE_CHECKING:
    # The index (SQLModel) is slow to import; commands that need it import it when they run.
    from wgtool.core.text import DiffOp
    from wgtool.core.workgroup import Thread, WorkingGroup

STATUSES = [s.value for s in Status]
STANCES = [s.value for s in Stance]
GUARD_LINES = 20  # problems a refused push lists


class Context:
    def __init__(self, repo: str | None, actor: str | None) -> None:
        self.repo = repo
        self.actor = actor

    @contextmanager
    def open(self) -> Iterator[WorkingGroup]:
        from wgtool.core.workgroup import WorkingGroup

        wg = WorkingGroup.open(self.repo, self.actor, notify=notice)
        try:
            yield wg
        finally:
            wg.close()


pass_context = click.make_pass_decorator(Context)


def fail(message: str, code: int = 1) -> NoReturn:
    click.echo(f"wgtool: {terminal_safe(message)}", err=True)
    sys.exit(code)


def notice(message: str) -> None:
    """One line on stderr about something wgtool repaired on its own; the command goes on."""
    click.echo(f"wgtool: {terminal_safe(message, keep_newlines=False)}", err=True)


def safe(text: str) -> str:
    return terminal_safe(text)


def color_enabled() -> bool:
    return "NO_COLOR" not in os.environ and sys.stdout.isatty()


_JSON_UNSAFE_RE = re.compile(r"[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def emit_json(data: Any) -> None:
    """One JSON document; characters a terminal could act on are written as \\u escapes."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    click.echo(_JSON_UNSAFE_RE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text))


def render_diff(ops: tuple[DiffOp, ...] | list[DiffOp]) -> str:
    """A redline readable without colour ([-deleted-] {+inserted+}), coloured on a terminal."""
    colour = color_enabled()
    parts = []
    for op in ops:
        text = safe(op.text)
        if op.op == "equal":
            parts.append(text)
        elif op.op == "delete":
            parts.append(
                click.style(f"[-{text}-]", fg="red", strikethrough=True)
                if colour
                else f"[-{text}-]"
            )
        else:
            parts.append(
                click.style(f"{{+{text}+}}", fg="green", underline=True)
                if colour
                else f"{{+{text}+}}"
            )
    return "".join(parts)


def read_text_option(text: str | None, text_file: str | None, what: str) -> str | None:
    if text is not None and text_file is not None:
        raise click.UsageError("give either --text or --text-file, not both")
    if text_file is not None:
        return validate.read_text_file(text_file, what)
    return text


def usage_failure(error: click.UsageError) -> NoReturn:
    """A usage error as one line (click's default is a usage block over several lines)."""
    if isinstance(error, click.exceptions.NoArgsIsHelpError):
        raise error
    hint = f" (see '{error.ctx.command_path} --help')" if error.ctx is not None else ""
    fail(" ".join(error.format_message().split()) + hint, error.exit_code)


class WgGroup(click.Group):
    """Runs commands with the core's errors mapped to one line and an exit code."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as error:
            usage_failure(error)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as error:
            usage_failure(error)
        except MergeConflict as error:
            lines = error.message.splitlines()
            click.echo(f"wgtool: {safe(lines[0])}", err=True)
            for line in lines[1:]:
                click.echo(f"  {safe(line)}", err=True)
            sys.exit(error.exit_code)
        except WgError as error:
            fail(error.message.splitlines()[0], error.exit_code)
        except KeyboardInterrupt:
            fail("interrupted", 130)


@click.group(
    cls=WgGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--repo",
    "repo",
    metavar="PATH",
    envvar="WGTOOL_REPO",
    help="The working group's repository (default: the one around this folder).",
)
@click.option(
    "--as",
    "actor",
    metavar="HANDLE",
    envvar="WGTOOL_MEMBER",
    help="Act as this roster member (default: the member with git's user.email).",
)
@click.version_option(package_name="wgtool")
@click.pass_context
def cli(ctx: click.Context, repo: str | None, actor: str | None) -> None:
    """wgtool: a working group drafts texts together, with git as the record.

    Run with no command to open the terminal UI on the working group here;
    'wgtool demo' opens it on a fresh copy of the example working group.
    """
    ctx.obj = Context(repo, actor)
    if ctx.invoked_subcommand is None:
        ctx.invoke(tui)


# -- working group -------------------------------------------------------------------------------


@cli.command()
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", default="Working group", help="The working group's title.")
@click.option("--example", is_flag=True, help="Add the starter drafts and the sample roster.")
@click.option("--bare", is_flag=True, help="Create a bare repository (e.g. to serve as a remote).")
def init(path: Path, title: str, example: bool, bare: bool) -> None:
    """Create a new working group repository at PATH."""
    from wgtool.core.workgroup import WorkingGroup

    if example and title == "Working group":
        title = "Working Group on Enhanced Cooperation"
    wg = WorkingGroup.init(path, title=title, example=example, bare=bare)
    try:
        click.echo(f"Created working group {safe(title)!r} in {path}")
        if not len(wg.roster):
            click.echo(
                "Next: add yourself with 'wgtool member add HANDLE --name ... --email ... "
                "--group ... --role secretariat'"
            )
    finally:
        wg.close()


@cli.command()
@pass_context
def reindex(obj: Context) -> None:
    """Rebuild the index from the refs (it is only a cache; nothing is lost)."""
    with obj.open() as wg:
        wg.index.rebuild()
        click.echo(f"Indexed {len(wg.index.amendment_ids())} amendments")


# -- members -------------------------------------------------------------------------------------


@cli.group()
def member() -> None:
    """The roster: who takes part, for which stakeholder group, in which roles."""


@member.command("add")
@click.argument("handle")
@click.option("--name", required=True)
@click.option("--email", required=True)
@click.option("--group", required=True, help="A stakeholder group slug from wg.toml.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice(["member", "chair", "secretariat"]),
    help="Repeat for several roles (default: member).",
)
@click.option(
    "--ssh-key-file",
    "ssh_key_file",
    metavar="PATH",
    help="The member's SSH public key, which verifies their signatures.",
)
@pass_context
def member_add(
    obj: Context,
    handle: str,
    name: str,
    email: str,
    group: str,
    roles: tuple[str, ...],
    ssh_key_file: str | None,
) -> None:
    """Add a member (secretariat; anyone may add the first member)."""
    key = validate.read_text_file(ssh_key_file, "key file") if ssh_key_file else ""
    with obj.open() as wg:
        added = wg.add_member(
            handle, name=name, email=email, group=group, roles=roles or ("member",), ssh_key=key
        )
        click.echo(
            f"Added {safe(added.handle)} ({safe(wg.settings.groups[added.group])}; "
            f"{', '.join(r.value for r in added.roles)})"
        )


@member.command("key")
@click.argument("handle")
@click.option("--file", "file", required=True, metavar="PATH", help="The SSH public key (.pub).")
@pass_context
def member_key(obj: Context, handle: str, file: str) -> None:
    """Record a member's SSH public key (secretariat)."""
    key = validate.read_text_file(file, "key file")
    with obj.open() as wg:
        changed = wg.set_member_key(handle, key)
        click.echo(f"Recorded the SSH key of {safe(changed.handle)}")


@member.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_context
def member_list(obj: Context, as_json: bool) -> None:
    """List the roster."""
    with obj.open() as wg:
        members = wg.members()
        if as_json:
            emit_json([m.to_dict() for m in members])
            return
        for m in members:
            click.echo(
                f"{safe(m.handle):<16} {safe(m.name):<28} {m.group:<20} "
                f"{','.join(r.value for r in m.roles)}"
            )


# -- drafts --------------------------------------------------------------------------------------


@cli.group()
def draft() -> None:
    """Drafts: the texts the working group negotiates."""


@draft.command("add")
@click.argument("slug")
@click.option("--title", required=True)
@click.option("--file", "file", required=True, metavar="PATH")
@pass_context
def draft_add(obj: Context, slug: str, title: str, file: str) -> None:
    """Add a draft from a Markdown file (secretariat)."""
    with obj.open() as wg:
        validate.name(slug, "draft")
        text = validate.read_text_file(file, "draft file")
        added = wg.add_draft(slug, title=title, text=text)
        click.echo(f"Added draft {added.slug}: {safe(added.title)}")


@draft.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_context
def draft_list(obj: Context, as_json: bool) -> None:
    """List the drafts with their paragraphs, open amendments and versions."""
    with obj.open() as wg:
        drafts = wg.drafts()
        if as_json:
            emit_json([d.to_dict() for d in drafts])
            return
        for d in drafts:
            versions = ", ".join(d.versions) or "-"
            click.echo(
                f"{d.slug:<20} {d.paragraphs:>3} paragraphs  {d.open_amendments:>4} open  "
                f"versions: {safe(versions)}\n    {safe(d.title)}"
            )


@draft.command("show")
@click.argument("slug")
@click.option("--version", "version", metavar="NAME", help="A consensus version (see 'versions').")
@click.option("--json", "as_json", is_flag=True)
@pass_context
def draft_show(obj: Context, slug: str, version: str | None, as_json: bool) -> None:
    """Show a draft with numbered paragraphs."""
    from wgtool.core import document

    with obj.open() as wg:
        d = wg.draft(slug, version)
        blocks = document.blocks(d.text)
        if as_json:
            emit_json(
                {
                    "slug": d.slug,
                    "title": d.title,
                    "version": version,
                    "text": d.text,
                    "paragraphs": [
                        {"number": b.number, "text": b.text} for b in blocks if not b.heading
                    ],
                }
            )
            return
        for b in blocks:
            if b.heading:
                click.echo(
                    click.style(safe(b.text), bold=True) if color_enabled() else safe(b.text)
                )
            else:
                click.echo(f"{b.number:>3}. {safe(b.text)}")
            click.echo()


@cli.command()
@click.argument("slug")
@click.option("--json", "as_json", is_flag=True)
@pass_context
def versions(obj: Context, slug: str, as_json: bool) -> None:
    """List the consensus versions of a draft."""
    with obj.open() as wg:
        found = wg.versions(slug)
        for tag, problem in wg.version_problems().items():
            if tag.startswith(f"{slug}/"):
                notice(f"ignored the tag {tag}: {problem}")
        if as_json:
            emit_json(
                [
                    {
                        "draft": v.draft,
                        "name": v.name,
                        "tag": v.tag,
                        "commit": v.commit,
                        "message": v.message,
                        "tagger": v.tagger,
                        "tagged_at": v.tagged_at,
                    }
                    for v in found
                ]
            )
            return
        if not found:
            click.echo(f"{slug} has no consensus versions yet")
        for v in found:
            first_line = v.message.splitlines()[0] if v.message else ""
            click.echo(
                f"{safe(v.name):<12} {v.commit[:10]}  {safe(v.tagger):<24} {safe(first_line)}"
            )


@cli.command()
@click.argument("slug")
@click.argument("old", required=False)
@click.argument("new", required=False)
@pass_context
def redline(obj: Context, slug: str, old: str | None, new: str | None) -> None:
    """Word-level redline of a draft between two versions (default: the latest and main)."""
    with obj.open() as wg:
        if old is None:
            found = wg.versions(slug)
            if not found:
                fail(f"{slug} has no consensus versions to compare with: give OLD and NEW")
            old = found[-1].name
        click.echo(render_diff(wg.redline(slug, old, new)))


@cli.command()
@click.argument("slug")
@click.argument("name")
@click.option("--message", "-m", required=True)
@pass_context
def tag(obj: Context, slug: str, name: str, message: str) -> None:
    """Tag the current text of a draft as a consensus version (secretariat)."""
    with obj.open() as wg:
        v = wg.tag(slug, name, message=message)
        click.echo(f"Tagged {v.tag} at {v.commit[:10]}")


@cli.command()
@click.argument("slug")
@click.option(
    "--format",
    "fmt",
    default="html",
    show_default=True,
    type=click.Choice(["markdown", "html", "redline", "compilation", "akn"]),
    help="markdown/html: clean text; redline: changes since a version; compilation: "
    "the open amendments; akn: Akoma Ntoso 3.0 XML.",
)
@click.option("--version", "version", metavar="NAME", help="A consensus version (default: main).")
@click.option("--against", metavar="NAME", help="For a redline: the older version.")
@click.option("--all", "include_closed", is_flag=True, help="Compilation: closed amendments too.")
@click.option("--output", "-o", metavar="PATH", help="Write to a file instead of standard output.")
@pass_context
def export(
    obj: Context,
    slug: str,
    fmt: str,
    version: str | None,
    against: str | None,
    include_closed: bool,
    output: str | None,
) -> None:
    """Produce a document for a draft: clean text, redline, compilation or Akoma Ntoso XML."""
    from wgtool.core.export import produce

    with obj.open() as wg:
        content = produce(
            wg, slug, fmt, version=version, against=against, include_closed=include_closed
        )
    if output is None:
        # The document escapes what it holds; on a terminal, what a terminal acts on too.
        click.echo(safe(content) if sys.stdout.isatty() else content, nl=False)
        return
    target = Path(output)
    if target.exists():
        fail(f"{output} already exists: choose another file name", 2)
    partial = target.with_name(f".{target.name}.partial")
    try:
        partial.write_text(content, encoding="utf-8")
        partial.replace(target)
    except OSError as error:
        partial.unlink(missing_ok=True)
        fail(f"cannot write {output}: {error.strerror or error}", 2)
    click.echo(f"Wrote {output}")


# -- amendments ----------------------------------------------------------------------------------


@cli.command()
@click.argument("slug")
@click.option("--paragraph", "paragraph", type=int, metavar="N", help="Replace paragraph N.")
@click.option(
    "--insert-after",
    "insert_after",
    type=int,
    metavar="N",
    help="Insert a new paragraph after paragraph N (0: before the first).",
)
@click.option("--delete", "delete", type=int, metavar="N", help="Delete paragraph N.")
@click.option("--from-file", "from_file", metavar="PATH", help="The whole draft as you want it.")
@click.option("--text", help="The new paragraph's text.")
@click.option(
    "--text-file", "text_file", metavar="PATH", help="Read the new paragraph from a file."
)
@click.option("--rationale", required=True, help="Why the working group should accept it.")
@click.option("--title", help="A short title (default: says what the amendment does).")
@click.option("--json", "as_json", is_flag=True)
@pass_context
def propose(
    obj: Context,
    slug: str,
    paragraph: int | None,
    insert_after: int | None,
    delete: int | None,
    from_file: str | None,
    text: str | None,
    text_file: str | None,
    rationale: str,
    title: str | None,
    as_json: bool,
) -> None:
    """Propose an amendment to a draft; prints its id."""
    chosen = [
        (k, v)
        for k, v in (
            ("paragraph", paragraph),
            ("insert-after", insert_after),
            ("delete", delete),
            ("from-file", from_file),
        )
        if v is not None
    ]
    if len(chosen) != 1:
        raise click.UsageError(
            "say what to amend with exactly one of "
            "--paragraph, --insert-after, --delete, --from-file"
        )
    which, value = chosen[0]
    new_text: str | None
    with obj.open() as wg:
        if which == "from-file":
            if text is not None or text_file is not None:
                raise click.UsageError("--from-file holds the whole draft: no --text with it")
            kind, number, new_text = (
                Kind.DOCUMENT,
                None,
                validate.read_text_file(str(value), "file"),
            )
        else:
            number = int(value)  # type: ignore[arg-type]
            kind = {"paragraph": Kind.REPLACE, "insert-after": Kind.INSERT, "delete": Kind.DELETE}[
                which
            ]
            new_text = read_text_option(text, text_file, "text file")
            if kind is Kind.DELETE and new_text is not None:
                raise click.UsageError("--delete takes no --text")
            if kind is not Kind.DELETE and new_text is None:
                raise click.UsageError("give the new paragraph with --text or --text-file")
            if number < (0 if kind is Kind.INSERT else 1):
                fail(f"paragraph {number} is out of range: paragraphs are numbered from 1", 2)
        amendment = wg.propose(
            slug, kind=kind, paragraph=number, text=new_text, rationale=rationale, title=title
        )
        if as_json:
            emit_json(amendment.to_dict())
        else:
            click.echo(amendment.id)


def _consensus_summaries(wg: WorkingGroup, amendments: list[Amendment]) -> dict[str, Consensus]:
    return wg.consensus_many(amendments)


@cli.command()
@click.argument("slug", required=False)
@click.option("--status", type=click.Choice(STATUSES))
@click.option(
    "--group", metavar="GROUP", help="Only amendments proposed for this stakeholder group."
)
@click.option("--proposer", metavar="HANDLE")
@click.option(
    "--search", "search", metavar="TEXT", help="Only amendments whose title or rationale has TEXT."
)
@click.option("--json", "as_json", is_flag=True)
@pass_context
def amendments(
    obj: Context,
    slug: str | None,
    status: str | None,
    group: str | None,
    proposer: str | None,
    search: str | None,
    as_json: bool,
) -> None:
    """List amendments (from the index), oldest first."""
    with obj.open() as wg:
        found = wg.amendments(
            draft=slug, status=status, group=group, proposer=proposer, text=search
        )
        summaries = _consensus_summaries(wg, found)
        if as_json:
            emit_json(
                [
                    {
                        **a.to_dict(),
                        "consensus": summaries[a.id].state,
                        "consensus_summary": summaries[a.id].summary(),
                    }
                    for a in found
                ]
            )
            return
        for a in found:
            target = (
                "-"
                if a.paragraph is None
                else (
                    f"+{a.paragraph}"
                    if a.kind is Kind.INSERT
                    else f"-{a.paragraph}"
                    if a.kind is Kind.DELETE
                    else f"¶{a.paragraph}"
                )
            )
            c = summaries[a.id]
            click.echo(
                f"{a.id}  {safe(a.draft):<14} {target:>5}  {safe(a.proposer):<14} "
                f"{safe(a.group):<19} "
                f"{a.status.value:<9} {c.state:<9} {c.summary():<14} "
                f"{safe(a.title)[:60]}"
            )


def _print_thread(threads: list[Thread] | tuple[Thread, ...], depth: int = 0) -> None:
    for t in threads:
        pad = "    " * depth
        c = t.comment
        click.echo(f"{pad}- [{safe(c.id)}] {safe(c.member)} ({safe(c.group)}):")
        for line in safe(c.text).splitlines() or [""]:
            click.echo(f"{pad}    {line}")
        _print_thread(t.replies, depth + 1)


@cli.command()
@click.argument("amendment_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True)
@pass_context
def show(obj: Context, amendment_id: str, as_json: bool) -> None:
    """Show an amendment: its word-level diff, rationale, status, positions and thread."""
    with obj.open() as wg:
        a = wg.amendment(amendment_id)
        change = wg.change(a)
        consensus = wg.consensus(a)
        threads = wg.comments(a.id)
        events = wg.events(a.id)
        if as_json:
            emit_json(
                {
                    **a.to_dict(),
                    "old_text": change.old,
                    "new_text": change.new,
                    "diff": [{"op": d.op, "text": d.text} for d in change.diff],
                    "consensus": consensus.to_dict(),
                    "events": [e.to_dict() for e in events],
                }
            )
            return
        where = (
            f"paragraph {a.paragraph}"
            if a.kind is Kind.REPLACE
            else f"new paragraph after {a.paragraph}"
            if a.kind is Kind.INSERT
            else f"deletes paragraph {a.paragraph}"
            if a.kind is Kind.DELETE
            else "whole draft"
        )
        click.echo(f"Amendment {a.id}: {safe(a.title)}")
        click.echo(f"Draft:     {safe(a.draft)} ({where})")
        group_name = wg.settings.groups.get(a.group, a.group)
        click.echo(f"Proposer:  {safe(a.proposer)} ({safe(group_name)})")
        status = a.status.value
        if a.status is Status.LAPSED:
            status += " (its paragraph is no longer in the draft)"
        if a.merged_by:
            status += f" (merged by {safe(a.merged_by)})"
        if a.reverted_by:
            status += f" (reverted by {safe(a.reverted_by)})"
        if a.decided_reason:
            status += f": {safe(a.decided_reason)}"
        click.echo(f"Status:    {status}")
        if a.adoption is not None:
            click.echo(f"Adopted:   {safe(a.adoption.describe())}")
        click.echo(f"Revision:  {a.revision}")
        click.echo()
        click.echo(render_diff(change.diff))
        click.echo()
        click.echo("Rationale:")
        for line in safe(a.rationale).splitlines():
            click.echo(f"    {line}")
        click.echo()
        click.echo(f"Consensus: {consensus.state} ({consensus.rule})")
        for g in consensus.groups:
            click.echo(f"  {safe(g.name):<50} {g.state}")
            for p in g.positions:
                stale = " (stale: on an earlier revision)" if p.stale else ""
                reason = f": {safe(p.reason)}" if p.reason else ""
                click.echo(f"      {safe(p.member)}: {p.stance.value}{stale}{reason}")
        if threads:
            click.echo()
            click.echo("Comments:")
            _print_thread(threads)


@cli.command()
@click.argument("amendment_id", metavar="ID")
@click.option("--text", help="The revised paragraph (or whole draft for a whole-draft amendment).")
@click.option("--text-file", "text_file", metavar="PATH")
@click.option("--rationale", help="A new rationale (default: keep the old one).")
@pass_context
def revise(
    obj: Context, amendment_id: str, text: str | None, text_file: str | None, rationale: str | None
) -> None:
    """Revise your own open amendment."""
    new_text = read_text_option(text, text_file, "text file")
    if new_text is None:
        raise click.UsageError("give the revised text with --text or --text-file")
    with obj.open() as wg:
        a = wg.revise(amendment_id, text=new_text, rationale=rationale)
        click.echo(f"Revised {a.id} (revision {a.revision})")


@cli.command()
@click.argument("amendment_id", metavar="ID")
@click.argument("stance", type=click.Choice(STANCES))
@click.option("--reason", default="", help="Why (shown to everyone).")
@pass_context
def position(obj: Context, amendment_id: str, stance: str, reason: str) -> None:
    """Take or change your position on an amendment."""
    with obj.open() as wg:
        ev = wg.position(amendment_id, stance, reason=reason)
        click.echo(f"{safe(ev.member)} ({ev.group}): {stance} on {ev.amendment}")


@cli.command()
@click.argument("amendment_id", metavar="ID")
@click.argument("text")
@click.option("--reply-to", "reply_to", metavar="COMMENT_ID")
@pass_context
def comment(obj: Context, amendment_id: str, text: str, reply_to: str | None) -> None:
    """Comment on an amendment, or reply to a comment."""
    with obj.open() as wg:
        ev = wg.comment(amendment_id, text, reply_to=reply_to)
        click.echo(ev.id)


@cli.command()
@click.argument("amendment_id", metavar="ID")
@click.option(
    "--text-file",
    "text_file",
    metavar="PATH",
    help='Merge "as orally revised": the revised paragraph (or whole draft).',
)
@click.option(
    "--resolved-file",
    "resolved_file",
    metavar="PATH",
    help="After a conflict: the conflicting paragraph(s) as they should read, in order.",
)
@click.option(
    "--whole-draft",
    is_flag=True,
    help="With --resolved-file: the file holds the whole draft, which replaces it.",
)
@click.option(
    "--override-consensus",
    is_flag=True,
    help="Merge although the consensus rule does not hold (needs --reason; recorded).",
)
@click.option("--reason", metavar="TEXT", help="Why the consensus rule is overridden.")
@click.option("--dry-run", is_flag=True, help="Show what the merge would do; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="With --dry-run: one JSON document.")
@pass_context
def merge(
    obj: Context,
    amendment_id: str,
    text_file: str | None,
    resolved_file: str | None,
    whole_draft: bool,
    override_consensus: bool,
    reason: str | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Merge an amendment into the draft (chair).

    The group's consensus rule must hold (exit 6 otherwise, unless --override-consensus
    --reason TEXT). Exit 3 on a conflict: the message names the paragraph(s); give them as they
    should read with --resolved-file. --dry-run prints the word diff the merge would make, or
    the conflicts, and exits as the merge would.
    """
    if text_file and resolved_file:
        raise click.UsageError("give either --text-file or --resolved-file, not both")
    if whole_draft and not resolved_file:
        raise click.UsageError("--whole-draft goes with --resolved-file")
    if override_consensus and not reason:
        raise click.UsageError("--override-consensus needs --reason TEXT")
    if reason and not override_consensus:
        raise click.UsageError("--reason goes with --override-consensus")
    if as_json and not dry_run:
        raise click.UsageError("--json goes with --dry-run")
    revised = validate.read_text_file(text_file, "text file") if text_file else None
    resolved = validate.read_text_file(resolved_file, "resolved file") if resolved_file else None
    with obj.open() as wg:
        if dry_run:
            _dry_run(wg, amendment_id, revised, as_json)
            return
        before = wg.draft(wg.amendment(amendment_id).draft).text if whole_draft else ""
        commit = wg.merge(
            amendment_id,
            revised_text=revised,
            resolved_text=resolved,
            whole_draft=whole_draft,
            override_reason=reason if override_consensus else None,
        )
        a = wg.amendment(amendment_id)
        click.echo(f"Merged {a.id} into {a.draft} ({commit[:10]})")
        if a.adoption is not None:
            click.echo(f"Adopted with {safe(a.adoption.describe())}")
        if whole_draft:
            from wgtool.core import document

            after = wg.draft(a.draft).text
            click.echo(
                f"Replaced the whole draft: {len(document.paragraphs(before))} paragraph(s) "
                f"before, {len(document.paragraphs(after))} after"
            )


def _dry_run(wg: WorkingGroup, amendment_id: str, revised: str | None, as_json: bool) -> None:
    """Print what merging would do; exit 0, 3 (conflict) or 6 (no consensus) as merge would."""
    from wgtool.core import merging

    plan = wg.plan_merge(amendment_id, revised_text=revised)
    code = 0 if plan.consensus.state == "consensus" else 6
    if not plan.clean:
        code = 3
    if as_json:
        emit_json({**plan.to_dict(), "exit_code": code})
        sys.exit(code)
    a = plan.amendment
    if plan.clean:
        changes = plan.changes()
        click.echo(
            f"Merging {a.id} into {safe(a.draft)} would change "
            f"{len(changes)} place(s) (nothing is written):"
        )
        for change in changes:
            click.echo()
            click.echo(f"{safe(change.label)}:")
            click.echo(render_diff(change.ops))
    else:
        lines = merging.conflict_message(plan).splitlines()
        click.echo(f"{safe(lines[0])} (nothing is written)")
        for line in lines[1:]:
            click.echo(f"  {safe(line)}")
    click.echo()
    click.echo(f"Consensus: {safe(plan.consensus.describe())} ({safe(plan.consensus.rule)})")
    if plan.consensus.state != "consensus":
        click.echo("The merge needs --override-consensus --reason TEXT.")
    sys.exit(code)


@cli.command()
@click.argument("amendment_id", metavar="ID")
@click.option("--reason", required=True, help="Why the amendment is undone (recorded).")
@pass_context
def revert(obj: Context, amendment_id: str, reason: str) -> None:
    """Undo a merged amendment with a new commit on main (chair). Exit 3 on a conflict."""
    with obj.open() as wg:
        commit = wg.revert(amendment_id, reason=reason)
        a = wg.amendment(amendment_id)
        click.echo(f"Reverted {a.id} in {safe(a.draft)} ({commit[:10]})")


@cli.command()
@click.argument("amendment_id", metavar="ID")
@click.option("--reason", required=True)
@pass_context
def reject(obj: Context, amendment_id: str, reason: str) -> None:
    """Reject an amendment with a reason (chair)."""
    with obj.open() as wg:
        ev = wg.reject(amendment_id, reason=reason)
        click.echo(f"Rejected {ev.amendment}")


@cli.command()
@click.argument("amendment_id", metavar="ID")
@click.option("--reason", default="")
@pass_context
def withdraw(obj: Context, amendment_id: str, reason: str) -> None:
    """Withdraw your own open amendment."""
    with obj.open() as wg:
        ev = wg.withdraw(amendment_id, reason=reason)
        click.echo(f"Withdrew {ev.amendment}")


@cli.command()
@click.option(
    "--signatures",
    type=click.Choice(["off", "required"]),
    help="Require every commit and tag to be SSH-signed by its member's roster key.",
)
@click.option("--min-supporting-groups", type=int, metavar="N")
@click.option("--max-objecting-groups", type=int, metavar="N")
@click.option("--require-all-groups-heard/--not-all-groups-heard", default=None)
@click.option("--json", "as_json", is_flag=True)
@pass_context
def settings(
    obj: Context,
    signatures: str | None,
    min_supporting_groups: int | None,
    max_objecting_groups: int | None,
    require_all_groups_heard: bool | None,
    as_json: bool,
) -> None:
    """Show the settings, or change them (secretariat)."""
    with obj.open() as wg:
        current = wg.settings
        if any(
            v is not None
            for v in (
                signatures,
                min_supporting_groups,
                max_objecting_groups,
                require_all_groups_heard,
            )
        ):
            current = wg.update_settings(
                signatures=signatures,
                min_supporting_groups=min_supporting_groups,
                max_objecting_groups=max_objecting_groups,
                require_all_groups_heard=require_all_groups_heard,
            )
        if as_json:
            emit_json(
                {
                    "title": current.title,
                    "groups": current.groups,
                    "signatures": current.signatures,
                    "consensus": {
                        "rule": current.consensus.describe(),
                        "min_supporting_groups": current.consensus.min_supporting_groups,
                        "max_objecting_groups": current.consensus.max_objecting_groups,
                        "require_all_groups_heard": current.consensus.require_all_groups_heard,
                    },
                }
            )
            return
        click.echo(f"Title:       {safe(current.title)}")
        click.echo(f"Consensus:   {current.consensus.describe()}")
        click.echo(f"Signatures:  {current.signatures}")
        click.echo(
            "Groups:      "
            + ", ".join(f"{slug} ({safe(name)})" for slug, name in current.groups.items())
        )


@cli.command()
@pass_context
def verify(obj: Context) -> None:
    """Audit the record: every change made by a member entitled to it (and signed, if required)."""
    from wgtool.core.verify import verify as run_verify

    with obj.open() as wg:
        report = run_verify(wg)
    for line in report.lines():
        click.echo(safe(line))
    if report.problems:
        sys.exit(1)


# -- sync and UI ---------------------------------------------------------------------------------


@cli.command()
@click.argument("remote", required=False, default="origin")
@pass_context
def sync(obj: Context, remote: str) -> None:
    """Exchange work with a git remote: fetch, join, fast-forward, push."""
    from wgtool.core.sync import sync as run_sync

    with obj.open() as wg:
        report = run_sync(wg, remote, progress=lambda line: click.echo(line, err=True))
        for line in report.lines():
            click.echo(safe(line))
        if report.problems:
            sys.exit(5)


@cli.group()
def guard() -> None:
    """Guard a shared remote: a plain git push that breaks the rules is refused by the remote."""


@guard.command("install")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
def guard_install(path: Path) -> None:
    """Install the guard as the pre-receive hook of the bare repository at PATH."""
    from wgtool.core.guard import install

    hook = install(path)
    click.echo(
        f"Installed {hook}: pushes to {path} that break the working group's rules are refused"
    )


@guard.command("script")
def guard_script() -> None:
    """Print the hook script, for hosts that install server hooks their own way."""
    from wgtool.core.guard import hook_text

    click.echo(hook_text(), nl=False)


@guard.command("check")
def guard_check() -> None:
    """Judge the ref updates a pre-receive hook gets on stdin (the hook runs this)."""
    from wgtool.core.gitstore import GitStore
    from wgtool.core.guard import check, read_updates

    store = GitStore.open(os.environ.get("GIT_DIR") or ".", search_parents=False)
    try:
        problems = check(store, read_updates(sys.stdin.read()))
    finally:
        store.close()
    for line in problems[:GUARD_LINES]:
        click.echo(f"wgtool guard: {safe(line)}", err=True)
    if len(problems) > GUARD_LINES:
        click.echo(f"wgtool guard: and {len(problems) - GUARD_LINES} more problem(s)", err=True)
    if problems:
        click.echo("wgtool guard: push refused; 'wgtool verify' on a clone says more", err=True)
        sys.exit(1)


@cli.command("clone")
@click.argument("url")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
def clone_command(url: str, path: Path) -> None:
    """Join a working group: clone its repository and fetch amendments and deliberation."""
    from wgtool.core.sync import clone

    wg, report = clone(url, path)
    try:
        for line in report.lines():
            click.echo(safe(line))
        click.echo(f"Cloned {safe(wg.settings.title)!r} into {path}")
    finally:
        wg.close()


@cli.command()
@pass_context
def tui(obj: Context) -> None:
    """Open the terminal UI on this working group."""
    from wgtool.tui.app import run_app

    with obj.open() as wg:
        wg.actor()  # fail early, with one line, when nobody can be identified
        repo = str(wg.store.git_dir if wg.store.work_tree is None else wg.store.work_tree)
    run_app(repo=repo, actor=obj.actor)


@cli.command()
@click.option("--keep", is_flag=True, help="Keep the demo folder after the UI closes.")
@click.option("--path", "path", type=click.Path(path_type=Path), help="Create the demo here.")
@pass_context
def demo(obj: Context, keep: bool, path: Path | None) -> None:
    """Open the UI on a fresh copy of the example working group, in a temporary folder."""
    import shutil
    import tempfile

    from wgtool.core.demo import create_demo
    from wgtool.tui.app import run_app

    folder = path or Path(tempfile.mkdtemp(prefix="wgtool-demo-")) / "wg"
    create_demo(folder)
    try:
        run_app(repo=str(folder), actor=obj.actor, demo=True)
    finally:
        if path is None and not keep:
            shutil.rmtree(folder.parent, ignore_errors=True)
        else:
            click.echo(f"The demo working group is in {folder}")


def main() -> None:
    cli(prog_name="wgtool")


if __name__ == "__main__":
    main()
