"""The rulebook: where the record lives in git, and what makes a commit, an event or a tag valid.

Sync, clone, verify, the index and a remote's pre-receive guard all ask this module; none of
them keeps rules of its own.

**Authority.** Every object is judged by the settings and roster *in force* at a main commit it
depends on:

* a main commit by those at its first parent (main is read along its first-parent history, from
  its first commit forward; a commit that breaks the rules changes nothing that is in force);
* an amendment revision or an event by those at the main commit it was made against: the
  amendment's base for its first revision, else the ``Main:`` trailer. That commit must be on
  main and never older than the one its parent was made against. Records written before the
  trailer existed are judged at the newest main commit made before them;
* a consensus version by those at the commit it tags.

So adding a chair, or rotating or revoking a key, never invalidates what was valid when it was
made.

**Rules.**

* One member per object: author, committer, ``Member:`` trailer (``Merged-by:``/``Reverted-by:``
  for the chair), the event file's ``member`` and, where the working group requires signatures,
  the signing key all name the same member. The stakeholder group is the roster's.
* Main moves by a chair merge of one amendment (two parents: old main and the amendment's last
  revision; only that amendment's draft changes), by a chair's revert of a merged amendment (only
  its draft changes), or by a secretariat change whose settings and roster validate. While the
  roster has never had a member, the first member may found it.
* An amendment is a chain of revisions by its proposer, the first parented on a main commit;
  each revision changes only the amendment's draft.
* An event chain only adds files, one ``events/<id>.json`` per commit, so no event replaces
  another; joins of two chains add nothing of their own. Comments and positions are any
  member's, a rejection the chair's, a withdrawal the proposer's.
* A consensus version is an annotated tag ``<draft>/<name>`` on a main commit, by a secretariat
  member (matched by email and key, never by display name).
* "Merged" means a valid chair merge on main's first-parent history, not reverted since.

**Modules.** :mod:`.layout` (refs, paths, trailer names, ids, roles per action),
:mod:`.records` (commits read in batches, the small per-record rules), :mod:`.history` (what
the rulebook answers), :mod:`.kept` (verdicts kept between runs), and :class:`Rulebook`
(:mod:`.book`), made of parts that are each given what they need, none built on another:
:class:`~.base.Reader` (the store, what was read of it, settings and roster in a tree,
signatures, kept verdicts), :class:`~.chains.ChainJudge` (amendment and event chains; given
the reader), :class:`~.main.MainJudge` (main's history; given the reader and the chain judge)
and :class:`~.tags.TagJudge` (versions; likewise). The rulebook judges whole refs with them.
No part reaches into another's underscored names.
"""

from __future__ import annotations

from wgtool.core.record.rulebook.book import Rulebook
from wgtool.core.record.rulebook.history import (
    FOUNDING,
    INIT,
    INVALID,
    MERGE,
    REVERT,
    SECRETARIAT,
    AmendmentChain,
    EventChain,
    MainCommit,
    MainHistory,
    MainState,
    StoredMainCommit,
    TagVerdict,
)
from wgtool.core.record.rulebook.layout import (
    ACCEPTS,
    ACCEPTS_REVISION,
    ACTION,
    ACTION_ROLES,
    ALTERNATIVE_TO,
    AMENDMENT_EVENT_TYPES,
    AMENDMENT_ID,
    AMENDMENT_ID_RE,
    AMENDMENTS_PREFIX,
    AMENDS,
    AMENDS_REVISION,
    BRACKETS,
    CONFIG_PATHS,
    CONSENSUS,
    CONSENSUS_GROUPS,
    DRAFT,
    DRAFT_ACTIONS,
    DRAFT_EVENT_TYPES,
    DRAFTS_DIR,
    EVENT,
    EVENT_ID,
    EVENT_ID_RE,
    EVENT_ROLES,
    EVENT_TYPES,
    EVENTS,
    EVENTS_DIR,
    EVENTS_PREFIX,
    FILE_MODES,
    GROUP,
    JOIN_ACTION,
    JOIN_EMAIL,
    JOIN_NAME,
    KIND,
    KINDS,
    LANGUAGE,
    MAIN,
    MAIN_REF,
    MAX_EVENT_BYTES,
    MAX_REVISIONS,
    MEMBER,
    MERGED_BY,
    NO_EVENTS,
    ORALLY_REVISED,
    OVERRIDE_REASON,
    PARAGRAPH,
    PARAGRAPH_LABEL,
    PROPOSED_BY,
    RESOLVED_BY,
    REVERT_ACTION,
    REVERTED_BY,
    REVERTS,
    REVISION,
    ROSTER_PATH,
    SETTINGS_PATH,
    SHA_RE,
    SILENCE,
    STANCES,
    TAGS_PREFIX,
    WG_PREFIX,
    allowed,
    chain_key_valid,
    chain_trailer,
    draft_chain,
    draft_of_path,
    draft_path,
    event_path,
    labels_path,
    require,
)
from wgtool.core.record.rulebook.records import (
    Change,
    Config,
    Problem,
    Record,
    consensus_problems,
    person_of,
    read_records,
    same_group,
    same_member,
    well_formed,
)

__all__ = [
    "AMENDMENT_EVENT_TYPES",
    "DRAFT_EVENT_TYPES",
    "EVENT_ROLES",
    "PARAGRAPH_LABEL",
    "ALTERNATIVE_TO",
    "AMENDS",
    "AMENDS_REVISION",
    "ACCEPTS",
    "ACCEPTS_REVISION",
    "SILENCE",
    "BRACKETS",
    "chain_key_valid",
    "chain_trailer",
    "draft_chain",
    "draft_path",
    "draft_of_path",
    "labels_path",
    "event_path",
    "require",
    "allowed",
    "MAIN_REF",
    "WG_PREFIX",
    "AMENDMENTS_PREFIX",
    "EVENTS_PREFIX",
    "TAGS_PREFIX",
    "SETTINGS_PATH",
    "ROSTER_PATH",
    "DRAFTS_DIR",
    "EVENTS_DIR",
    "CONFIG_PATHS",
    "JOIN_NAME",
    "JOIN_EMAIL",
    "AMENDMENT_ID_RE",
    "EVENT_ID_RE",
    "SHA_RE",
    "FILE_MODES",
    "MAX_REVISIONS",
    "MAX_EVENT_BYTES",
    "AMENDMENT_ID",
    "MEMBER",
    "GROUP",
    "MAIN",
    "ACTION",
    "REVISION",
    "DRAFT",
    "KIND",
    "PARAGRAPH",
    "EVENT",
    "EVENT_ID",
    "PROPOSED_BY",
    "MERGED_BY",
    "CONSENSUS",
    "CONSENSUS_GROUPS",
    "OVERRIDE_REASON",
    "REVERTS",
    "DRAFT_ACTIONS",
    "EVENTS",
    "NO_EVENTS",
    "ORALLY_REVISED",
    "RESOLVED_BY",
    "REVERTED_BY",
    "JOIN_ACTION",
    "REVERT_ACTION",
    "EVENT_TYPES",
    "STANCES",
    "KINDS",
    "LANGUAGE",
    "ACTION_ROLES",
    "Change",
    "Record",
    "read_records",
    "Problem",
    "Config",
    "same_member",
    "same_group",
    "well_formed",
    "consensus_problems",
    "person_of",
    "MainCommit",
    "StoredMainCommit",
    "MainHistory",
    "AmendmentChain",
    "EventChain",
    "TagVerdict",
    "MainState",
    "INIT",
    "FOUNDING",
    "SECRETARIAT",
    "MERGE",
    "REVERT",
    "INVALID",
    "Rulebook",
]
