"""Keeping the index file up to date with the refs, through ``sqlite3`` alone.

The index's tables are SQLModel's (:mod:`wgtool.core.index.rows`), and the index proper
(:mod:`wgtool.core.index`) creates, heals and queries the file through SQLAlchemy. Reading what
moved in the refs into it needs neither: the :class:`~.refresh.Refresher` writes its rows through
the standard library's driver, so a command that finds the file behind the refs (after a merge,
a sync, another member's write) brings it up to date without importing SQLAlchemy, and then
reads it at a glance (:mod:`wgtool.core.glance`). The index proper runs the same refresher on its
own connection, so there is one way rows are written.

The package: :mod:`.rows` (writing rows, and the rows of commits), :mod:`.refresh`,
:mod:`.drafts`, :mod:`.consensus_rows`, :mod:`.subs`, :mod:`.lapsed`, and :func:`.plain.refreshed`
(the refresh of the file by a command that has not opened the index proper).
"""
