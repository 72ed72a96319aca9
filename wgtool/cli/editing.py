"""Text written in the member's own editor ($VISUAL or $EDITOR), as git commit does it, and
paragraph references on the command line."""

from __future__ import annotations

import click

from wgtool.cli.output import fail
from wgtool.core.errors import InvalidInput


def edit_text(initial: str, what: str) -> str:
    """The text as the member leaves it in their editor, opened on ``initial``; an empty text
    (or an editor that fails) stops the command with one line, before anything is written."""
    try:
        edited = click.edit(initial, extension=".md", require_save=False)
    except click.ClickException as error:
        fail(f"cannot edit the {what}: {error.format_message()}")
    text = (edited or "").strip()
    if not text:
        fail(f"the {what} is empty: nothing was written")
    return text


def paragraph_number(value: str) -> int:
    """The paragraph a reference on the command line names (``5``), numbered from 1; ``0``
    means "before the first" where a paragraph is inserted.

    Every option that takes a paragraph parses it here, so that references can grow (labels
    such as ``7bis``) in one place."""
    text = value.strip()
    digits = text[1:] if text.startswith("-") else text
    if not digits.isascii() or not digits.isdigit():
        raise InvalidInput(f"{value!r} is not a paragraph number: give a number such as 5")
    return int(text)  # out of range (0 or below) is the use case's to say


def paragraph_option(_ctx: click.Context, _param: click.Parameter, value: str | None) -> int | None:
    """The click callback of an option that takes a paragraph (see :func:`paragraph_number`)."""
    return None if value is None else paragraph_number(value)
