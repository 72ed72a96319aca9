"""The terminal UI, on this working group or on a demo copy of the example."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from wgtool import api
from wgtool.cli.group import Context, cli, pass_context
from wgtool.lazy import lazy_module

if TYPE_CHECKING:
    import shutil
    import tempfile

    from wgtool.tui import app, start
else:
    app = lazy_module("wgtool.tui.app")  # Textual: only the commands that open the UI load it
    start = lazy_module("wgtool.tui.start")  # (without Textual)
    shutil = lazy_module("shutil")  # and the demo's temporary folder
    tempfile = lazy_module("tempfile")


@cli.command()
@pass_context
def tui(obj: Context) -> None:
    """Open the terminal UI on this working group."""
    # Checked by the UI after its first paint rather than here (loading the core takes longer
    # than painting): a folder that is not a working group, or nobody to act, ends the UI with
    # the one-line error and exit code of any command. The first screen is read at a glance
    # meanwhile, from before Textual is imported. (``wgtool`` itself opens the UI through
    # wgtool.launch, before this module is imported.)
    start.open_terminal_ui(obj.repo, obj.actor)


@cli.command()
@click.option("--keep", is_flag=True, help="Keep the demo folder after the UI closes.")
@click.option("--path", "path", type=click.Path(path_type=Path), help="Create the demo here.")
@pass_context
def demo(obj: Context, keep: bool, path: Path | None) -> None:
    """Open the UI on a fresh copy of the example working group, in a temporary folder."""
    folder = path or Path(tempfile.mkdtemp(prefix="wgtool-demo-")) / "wg"
    api.create_demo(folder)
    try:
        app.run_app(repo=str(folder), actor=obj.actor, demo=True)
    finally:
        if path is None and not keep:
            shutil.rmtree(folder.parent, ignore_errors=True)
        else:
            click.echo(f"The demo working group is in {folder}")
