"""The shell's side: completion scripts for bash, zsh and fish."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from wgtool.cli.group import cli
from wgtool.lazy import lazy_module

if TYPE_CHECKING:
    from click import shell_completion
else:
    shell_completion = lazy_module("click.shell_completion")  # only for the completion command

SHELLS = ("bash", "zsh", "fish")


@cli.command()
@click.argument("shell", type=click.Choice(SHELLS))
@click.pass_context
def completion(ctx: click.Context, shell: str) -> None:
    """Print the completion script for SHELL.

    \b
    bash: eval "$(wgtool completion bash)"     (in ~/.bashrc)
    zsh:  eval "$(wgtool completion zsh)"      (in ~/.zshrc)
    fish: wgtool completion fish > ~/.config/fish/completions/wgtool.fish
    """
    completer = shell_completion.get_completion_class(shell)
    assert completer is not None  # click knows every shell of SHELLS
    root = ctx.find_root()
    name = root.info_name or "wgtool"
    variable = f"_{name.replace('-', '_').upper()}_COMPLETE"
    click.echo(completer(cli, {}, name, variable).source())
