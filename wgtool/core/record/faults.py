"""Crash points for tests: a process told to crash at a named point dies there at once.

``WGTOOL_FAULT=<point>`` in the environment makes :func:`crash_point` end the process with
``os._exit`` (no cleanup, no ``finally``), as a power cut or a kill would. Tests use it to prove
that the next command recovers; nothing else sets it.
"""

from __future__ import annotations

import os

FAULT_ENV = "WGTOOL_FAULT"
CRASH_EXIT_CODE = 86


def crash_point(name: str) -> None:
    if os.environ.get(FAULT_ENV) == name:
        os._exit(CRASH_EXIT_CODE)
