"""``wgtool serve``: the terminal UI in web browsers, and the shared server's login links.

The web libraries (aiohttp, textual-serve) are imported only when a server starts: every other
command, ``wgtool serve token ...`` too, starts without them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from wgtool import api
from wgtool.cli.group import Context, cli, pass_context
from wgtool.cli.output import notice, safe
from wgtool.lazy import lazy_module

if TYPE_CHECKING:
    from wgtool.web import access, server
else:
    access = lazy_module("wgtool.web.access")
    server = lazy_module("wgtool.web.server")  # aiohttp and textual-serve: when a server starts

DEFAULT_ADDRESS = "http://127.0.0.1:8000"


@cli.group(invoke_without_command=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="The port to listen on (0: any free one, printed).",
)
@click.option(
    "--shared",
    is_flag=True,
    help="The group's server: each member logs in with the link the secretariat issued them "
    "('wgtool serve token issue HANDLE') and acts as themselves.",
)
@click.option(
    "--public-url",
    metavar="URL",
    help="The address browsers use behind a reverse proxy (https://wg.example.org): requests "
    "to it are answered too.",
)
@click.option(
    "--session-lifetime",
    default="12h",
    show_default=True,
    metavar="DURATION",
    help="How long a browser's session lasts once it opened a link (90s, 30m, 12h, 7d).",
)
@click.option(
    "--present",
    "room",
    metavar="SLUG",
    help="Serve the meeting room's read-only screen of draft SLUG ('wgtool present SLUG') "
    "instead of the UI: the browsers follow the chair and write nothing.",
)
@click.option(
    "--follow",
    "remote",
    metavar="REMOTE",
    help="With --present: the room follows the chair through REMOTE (e.g. origin).",
)
@click.pass_context
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    shared: bool,
    public_url: str | None,
    session_lifetime: str,
    room: str | None,
    remote: str | None,
) -> None:
    """Serve the terminal UI to web browsers, acting as you.

    Prints a link holding a secret token: the page and its connection need it, and each browser
    connection runs its own UI acting as the member who started the server (--as, WGTOOL_MEMBER
    or git's user.email). With --shared, the group's server: each member opens their own login
    link and acts as themselves only.
    """
    if ctx.invoked_subcommand is not None:
        return
    obj = ctx.find_object(Context)
    assert obj is not None
    where = access.Access(host, port, public_url)
    sessions = access.Sessions(access.duration(session_lifetime))
    if remote is not None and room is None:
        raise click.UsageError("--follow REMOTE goes with --present SLUG")
    ui = ("tui",) if room is None else ("present", room, *(("--follow", remote) if remote else ()))
    with obj.open() as wg:
        if room is not None:
            wg.drafts.existing_draft(room)  # a missing draft is one line now, not in every page
        repo = str(
            wg.record.store.git_dir
            if wg.record.store.work_tree is None
            else wg.record.store.work_tree
        )
        title = safe(wg.record.settings.title)
        if shared:
            gate: access.OwnGate | access.SharedGate = access.SharedGate(
                api.LoginLinks(wg.record.store, notice)
            )
        else:
            gate = access.OwnGate(wg.record.actor().handle)

    # The working group is closed again (its git processes with it): each connection's UI
    # opens its own, and the shared server only reads its login file.
    def announce(address: access.Address, listening: str) -> None:
        if room is not None:
            lines = [f'wgtool serves the meeting room of {safe(room)} ("{title}"): read only.']
            if isinstance(gate, access.OwnGate):
                lines.append(f"    {address.origin}/?token={gate.token}")
        elif isinstance(gate, access.OwnGate):
            lines = [
                f'wgtool serves "{title}" to your web browser, acting as {gate.handle}.',
                "Open this link; it holds a secret: whoever has it acts as you.",
                f"    {address.origin}/?token={gate.token}",
            ]
        else:
            lines = [
                f'wgtool serves "{title}" to its members at {address.origin}/',
                "Each member opens their own login link, which the secretariat issues with "
                "'wgtool serve token issue HANDLE'.",
            ]
        if where.public is not None:
            lines.append(f"Listening on {listening} (for the reverse proxy).")
        lines.append(f"Sessions last {session_lifetime}. Press Ctrl+C to stop.")
        click.echo("\n".join(lines))

    served = server.WgServer(
        repo, host=host, port=port, access=where, gate=gate, sessions=sessions, ui=ui
    )
    served.run(announce)


@serve.group()
def token() -> None:
    """Login links to the group's shared server ('wgtool serve --shared'), for the
    secretariat."""


@token.command("issue")
@click.argument("handle")
@click.option(
    "--url",
    default=DEFAULT_ADDRESS,
    show_default=True,
    help="The shared server's address as members reach it (its --public-url, if any).",
)
@pass_context
def token_issue(obj: Context, handle: str, url: str) -> None:
    """Issue HANDLE's login link and print it (an earlier one stops working): give it to that
    member alone."""
    address = access.public_address(url, "--url")
    with obj.open() as wg:
        secret = api.issue_login(wg, handle)
    click.echo(f"{address.origin}/?token={secret}")
    notice(
        f"whoever opens this link acts as {handle} until it is revoked "
        f"('wgtool serve token revoke {handle}') or issued again"
    )


@token.command("revoke")
@click.argument("handle")
@pass_context
def token_revoke(obj: Context, handle: str) -> None:
    """Revoke HANDLE's login link: it, and every session it opened, stop working."""
    with obj.open() as wg:
        api.revoke_login(wg, handle)
    click.echo(f"Revoked {safe(handle)}'s login link: it and its sessions no longer work.")
