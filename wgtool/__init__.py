"""wgtool: a working group drafts texts together, with git as the record."""

__version__ = "0.1.0"
