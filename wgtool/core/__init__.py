"""The core of wgtool: domain, storage, text algorithms and use cases.

Nothing under this package imports a UI library; the CLI and the TUI are thin layers on top.
"""
