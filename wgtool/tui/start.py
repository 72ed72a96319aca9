"""Opening the terminal UI as the command line opens it (``wgtool``, ``wgtool tui``): from
:mod:`wgtool.cli.ui`, or from :mod:`wgtool.launch` before the command line (click and every
command's module) is imported, which would take longer than the UI takes to paint.

The first screen's drafts are read at a glance in a thread started before Textual is imported
(:class:`~wgtool.tui.session.FirstGlance`); then the app runs, strict: a folder that is no
working group, or nobody to act, ends it with that error, raised here for the command line to
report as it reports any command's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wgtool.lazy import lazy_module

if TYPE_CHECKING:
    from wgtool.tui import app, session
else:
    app = lazy_module("wgtool.tui.app")  # Textual: after the glance has started
    session = lazy_module("wgtool.tui.session")  # (without Textual)


def open_terminal_ui(repo: str | None, actor: str | None) -> None:
    """Run the UI on the working group at ``repo`` (None: WGTOOL_REPO or the folder here), as
    ``actor`` (None: WGTOOL_MEMBER or git's user.email).

    Raises:
        WgError: what ended the app at start.
    """
    glance = session.FirstGlance(repo)
    app.run_app(repo=repo, actor=actor, strict=True, glance=glance)
