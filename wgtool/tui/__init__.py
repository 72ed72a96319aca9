"""The Textual terminal UI: screens over the core's use cases, with git work in workers.

Nothing here is imported by the core or by ``wgtool --help``; the CLI imports
:mod:`wgtool.tui.app` only when it opens the UI.
"""
