"""The working group itself, its roster and its settings."""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from wgtool import api
from wgtool.api import PUBLISH_LEVELS, SIGNATURE_MODES, LookAlike, Role, validate
from wgtool.cli.group import Context, cli, pass_context
from wgtool.cli.output import counted, emit_json, fail, safe


@cli.command()
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", help="The working group's title.")
@click.option(
    "--example",
    is_flag=True,
    help="Add the starter drafts (tagged first-reading) and the sample roster.",
)
@click.option(
    "--bare",
    is_flag=True,
    help="Create an empty bare repository to serve as a working group's shared remote.",
)
def init(path: Path, title: str | None, example: bool, bare: bool) -> None:
    """Create a new working group repository at PATH (or, with --bare, an empty remote)."""
    if bare:
        _init_remote(path, title, example)
        return

    if title is None:
        title = "Working Group on Enhanced Cooperation" if example else "Working group"
    wg = api.WorkingGroup.init(path, title=title, example=example)
    try:
        if example:
            api.circulate_example(wg)
        click.echo(f"Created working group {safe(title)!r} in {path}")
        if example:
            click.echo(
                f"Its drafts ({', '.join(wg.drafts.draft_slugs())}) are tagged "
                f"{api.FIRST_READING!r}, as circulated; the roster is fictional "
                "('wgtool member list')"
            )
        if not len(wg.record.roster):
            click.echo(
                "Next: add yourself with 'wgtool member add HANDLE --name ... --email ... "
                "--group ... --role secretariat'"
            )
    finally:
        wg.close()


def _init_remote(path: Path, title: str | None, example: bool) -> None:
    if title is not None or example:
        raise click.UsageError(
            "--bare makes an empty remote: the working group's title and drafts come with "
            "the first sync, so no --title or --example with it"
        )
    api.SharedRemote.create(path)
    # The working group is another folder: only the absolute path reaches the remote from there.
    where = shlex.quote(safe(str(path.resolve())))
    click.echo(f"Created an empty remote in {safe(str(path))}")
    click.echo("Next, in the working group's folder:")
    click.echo(f"  git remote add origin {where}")
    click.echo("  wgtool sync")
    click.echo(
        f"To make the remote refuse pushes that break the rules: wgtool guard install {where}"
    )


@cli.command()
@pass_context
def reindex(obj: Context) -> None:
    """Rebuild the index from the refs (it is only a cache; nothing is lost)."""
    with obj.open() as wg:
        wg.record.index.rebuild()
        click.echo(f"Indexed {counted(len(wg.record.index.amendment_ids()), 'amendment')}")


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
    type=click.Choice([r.value for r in Role]),
    help="Repeat for several roles (default: member).",
)
@click.option(
    "--ssh-key-file",
    "ssh_key_file",
    metavar="PATH",
    help="The member's SSH public key, which verifies their signatures.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Add them although their handle, name or email looks like another member's.",
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
    force: bool,
) -> None:
    """Add a member (secretariat; anyone may add the first member). A handle, name or email
    that looks like another member's (Unicode look-alikes, such as Cyrillic a for Latin a)
    needs --force."""
    key = validate.read_text_file(ssh_key_file, "key file") if ssh_key_file else ""
    with obj.open() as wg:
        try:
            added = wg.secretariat.add_member(
                handle,
                name=name,
                email=email,
                group=group,
                roles=roles or ("member",),
                ssh_key=key,
                force=force,
            )
        except LookAlike as error:
            fail(f"{error.message}; if they are different people, add them with --force", 2)
        click.echo(
            f"Added {safe(added.handle)} ({safe(wg.record.settings.groups[added.group])}; "
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
        changed = wg.secretariat.set_member_key(handle, key)
        click.echo(f"Recorded the SSH key of {safe(changed.handle)}")


@member.command("list")
@click.option("--group", metavar="GROUP", help="Only this stakeholder group's members.")
@click.option("--json", "as_json", is_flag=True)
@pass_context
def member_list(obj: Context, group: str | None, as_json: bool) -> None:
    """List the roster, by stakeholder group."""
    with obj.open() as wg:
        members = wg.secretariat.members(group)
        groups = wg.record.settings.groups
    if as_json:
        emit_json([m.to_dict() for m in members])
        return
    if not members:
        click.echo(f"No members in {safe(group)}" if group else "No members yet")
        return
    for slug in [*groups, *sorted({m.group for m in members} - set(groups))]:
        in_group = [m for m in members if m.group == slug]
        if not in_group:
            continue
        click.echo(f"{safe(groups.get(slug, slug))} ({safe(slug)})")
        for m in in_group:
            click.echo(
                f"    {safe(m.handle):<16} {safe(m.name):<28} {safe(m.email):<32} "
                f"{','.join(r.value for r in m.roles)}"
            )


@cli.command()
@click.option(
    "--signatures",
    type=click.Choice(SIGNATURE_MODES),
    help="Require every commit and tag to be SSH-signed by its member's roster key.",
)
@click.option("--min-supporting-groups", type=int, metavar="N")
@click.option("--max-objecting-groups", type=int, metavar="N")
@click.option("--require-all-groups-heard/--not-all-groups-heard", default=None)
@click.option(
    "--publish",
    type=click.Choice(PUBLISH_LEVELS),
    help="What `wgtool publish` shows of deliberation: texts, amendments or positions too.",
)
@click.option("--json", "as_json", is_flag=True)
@pass_context
def settings(
    obj: Context,
    signatures: str | None,
    min_supporting_groups: int | None,
    max_objecting_groups: int | None,
    require_all_groups_heard: bool | None,
    publish: str | None,
    as_json: bool,
) -> None:
    """Show the settings, or change them (secretariat)."""
    with obj.open() as wg:
        current = wg.record.settings
        if any(
            v is not None
            for v in (
                signatures,
                min_supporting_groups,
                max_objecting_groups,
                require_all_groups_heard,
                publish,
            )
        ):
            current = wg.secretariat.update_settings(
                signatures=signatures,
                min_supporting_groups=min_supporting_groups,
                max_objecting_groups=max_objecting_groups,
                require_all_groups_heard=require_all_groups_heard,
                publish=publish,
            )
        if as_json:
            emit_json(current.to_dict())
            return
        click.echo(f"Title:       {safe(current.title)}")
        click.echo(f"Consensus:   {current.consensus.describe()}")
        click.echo(f"Signatures:  {current.signatures}")
        click.echo(f"Published:   {current.publish}")
        click.echo(
            "Groups:      "
            + ", ".join(f"{slug} ({safe(name)})" for slug, name in current.groups.items())
        )
