"""The terminal UI, on this working group or on a demo copy of the example."""

from __future__ import annotations

from pathlib import Path

import click

from wgtool.cli import Context, cli, pass_context


def repo_path(obj: Context, *, identify: bool) -> str:
    """The working group's folder (failing early, in one line, when it cannot be opened or,
    with ``identify``, when nobody can be identified)."""
    with obj.open() as wg:
        if identify:
            wg.actor()
        return str(wg.store.git_dir if wg.store.work_tree is None else wg.store.work_tree)


@cli.command()
@click.option(
    "--pick-member",
    is_flag=True,
    help="Ask first which roster member is acting (what 'wgtool serve' runs per browser).",
)
@pass_context
def tui(obj: Context, pick_member: bool) -> None:
    """Open the terminal UI on this working group."""
    from wgtool.tui.app import run_app

    # Checked by the UI after its first paint rather than here (loading the core takes longer
    # than painting): a folder that is not a working group, or nobody to act, ends the UI with
    # the one-line error and exit code of any command.
    actor = None if pick_member else obj.actor
    run_app(repo=obj.repo, actor=actor, pick=pick_member, strict=True)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@pass_context
def serve(obj: Context, host: str, port: int) -> None:
    """Serve the terminal UI to web browsers (textual-serve).

    Each browser connection runs its own UI on this working group, which first asks which
    roster member is acting and keeps that member for the connection. Anyone who can reach the
    address can act as any member: keep the default 127.0.0.1 unless the network is trusted.
    """
    import shlex
    import sys

    from textual_serve.server import Server

    repo = repo_path(obj, identify=False)
    # textual-serve runs the command through the shell: every part is quoted.
    command = shlex.join([sys.executable, "-m", "wgtool", "--repo", repo, "tui", "--pick-member"])
    Server(command, host=host, port=port, title="wgtool").serve()


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
