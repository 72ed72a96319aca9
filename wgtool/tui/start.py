"""Opening the terminal UI as the command line opens it (``wgtool``, ``wgtool tui``): from
:mod:`wgtool.cli.ui`, or from :mod:`wgtool.launch` before the command line (click and every
command's module) is imported, which would take longer than the UI takes to paint.

The first screen's drafts are read at a glance in a thread started before Textual is imported
(:class:`~wgtool.tui.session.FirstGlance`); then the app runs, strict: a folder that is no
working group, or nobody to act, ends it with that error, raised here for the command line to
report as it reports any command's.

The garbage collector is off until the first frame is painted: nearly every object made before
it is kept (modules, classes, the first screen's widgets), so the collector's passes over them
free next to nothing. At 400 amendments they took 20 to 40 ms before the first frame of
``wgtool`` (86 passes over the youngest objects and 8 over the older ones, timed by
``gc.callbacks``; 38 M of the 1,184 M instructions callgrind counts up to that frame), 10 to
15 ms of them once Textual is imported. It runs again from the first frame on (Textual pauses
it the same way while it scrolls), and once the app has ended, whatever ended it.
"""

from __future__ import annotations

import gc
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
    gc.disable()
    try:
        glance = session.FirstGlance(repo)
        app.run_app(repo=repo, actor=actor, strict=True, glance=glance, on_first_frame=gc.enable)
    finally:
        gc.enable()
