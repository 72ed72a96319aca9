"""The version of the rulebook's rules, part of the key of every verdict kept between runs
(:mod:`wgtool.core.record.rulebook.kept`, :mod:`wgtool.core.exchange.kept_report`).

Raise it when a rule changes (what the rulebook judges, or what ``verify`` reports): every kept
verdict is then judged again. Only the standard library is needed here, so that a command
answered from a kept verdict imports nothing else.
"""

RULES = 2
