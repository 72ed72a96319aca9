"""wgtool's one way of importing a module later than the line that names it.

Start-up is paid by every command, so a module that only some of them use (python-docx for
Word files, Jinja2 for HTML, SQLAlchemy for the index, Textual for the terminal UI) is named at
the top of the module that uses it, where a reader sees it, and imported the first time one of
its attributes is read::

    if TYPE_CHECKING:
        import docx
    else:
        docx = lazy_module("docx")

    def new() -> docx.document.Document:
        return docx.Document()  # python-docx is imported here, once

The ``TYPE_CHECKING`` import gives the type checker the real module, and
``tests/test_import_hygiene.py`` draws the import graph from both. The faces reach the core's
names the same way, through :mod:`wgtool.api`'s own ``__getattr__`` (``api.WorkingGroup``).
Only the standard library is imported here, so any module of wgtool may use it.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import Any


class LazyModule(ModuleType):
    """A stand-in for the module named ``__name__``: reading an attribute imports the module
    (once; Python keeps it in ``sys.modules``) and answers with the module's attribute, or
    with its submodule of that name."""

    def __getattr__(self, attribute: str) -> Any:
        module = importlib.import_module(self.__name__)
        try:
            return getattr(module, attribute)
        except AttributeError:
            if not hasattr(module, "__path__"):
                raise
        # A package's submodule not imported yet, as ``from package import submodule`` finds it
        try:
            return importlib.import_module(f"{self.__name__}.{attribute}")
        except ModuleNotFoundError as error:
            if error.name != f"{self.__name__}.{attribute}":
                raise
            raise AttributeError(
                f"module {self.__name__!r} has no attribute {attribute!r}"
            ) from None

    def __dir__(self) -> list[str]:
        return dir(importlib.import_module(self.__name__))

    def __repr__(self) -> str:
        state = "imported" if self.__name__ in sys.modules else "not imported yet"
        return f"<lazy module {self.__name__!r} ({state})>"


def lazy_module(name: str) -> ModuleType:
    """The module ``name`` (absolute, as in ``import name``): the module itself when it is
    already imported, otherwise a stand-in that imports it on the first attribute read.

    An unknown name fails at that first read (``ModuleNotFoundError``), not here: finding the
    module would import its parent packages, which for ``docx.oxml.ns`` is all of python-docx.
    """
    loaded = sys.modules.get(name)
    return loaded if loaded is not None else LazyModule(name)
