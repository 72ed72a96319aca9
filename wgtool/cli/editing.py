"""Text written in the member's own editor ($VISUAL or $EDITOR), as git commit does it, and
paragraph references on the command line."""

from __future__ import annotations

import click

from wgtool.api import LABEL_RE, InvalidInput
from wgtool.cli.output import fail


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


def paragraph_label(value: str) -> str:
    """The paragraph a reference on the command line names: its label (``5``, ``7bis``; a
    ``¶`` before it is fine); ``0`` means "before the first" where a paragraph is inserted.

    Every option that takes a paragraph parses it here; whether the draft has that paragraph is
    the use case's to say."""
    text = value.strip().removeprefix("¶")
    if not LABEL_RE.match(text):
        raise InvalidInput(
            f"paragraph {value!r} is out of range: give a paragraph's label, such as 7 or 7bis"
        )
    return text


def paragraph_option(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """The click callback of an option that takes a paragraph (see :func:`paragraph_label`)."""
    return None if value is None else paragraph_label(value)
