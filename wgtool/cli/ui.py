"""The terminal UI, on this working group or on a demo copy of the example."""

from __future__ import annotations

from pathlib import Path

import click

from wgtool import api
from wgtool.cli import Context, cli, pass_context


@cli.command()
@pass_context
def tui(obj: Context) -> None:
    """Open the terminal UI on this working group."""
    from wgtool.tui.app import run_app

    # Checked by the UI after its first paint rather than here (loading the core takes longer
    # than painting): a folder that is not a working group, or nobody to act, ends the UI with
    # the one-line error and exit code of any command.
    run_app(repo=obj.repo, actor=obj.actor, strict=True)


@cli.command()
@click.option("--keep", is_flag=True, help="Keep the demo folder after the UI closes.")
@click.option("--path", "path", type=click.Path(path_type=Path), help="Create the demo here.")
@pass_context
def demo(obj: Context, keep: bool, path: Path | None) -> None:
    """Open the UI on a fresh copy of the example working group, in a temporary folder."""
    import shutil
    import tempfile

    from wgtool.tui.app import run_app

    folder = path or Path(tempfile.mkdtemp(prefix="wgtool-demo-")) / "wg"
    api.create_demo(folder)
    try:
        run_app(repo=str(folder), actor=obj.actor, demo=True)
    finally:
        if path is None and not keep:
            shutil.rmtree(folder.parent, ignore_errors=True)
        else:
            click.echo(f"The demo working group is in {folder}")
