"""The secretariat's desk: the roster of members and the working group's settings."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from wgtool.core import lookalike
from wgtool.core.desks.context import Record
from wgtool.core.errors import InvalidInput, Remedy
from wgtool.core.model import Member, Role, Settings
from wgtool.core.record import config, signing
from wgtool.core.record.messages import format_message


class SecretariatDesk:
    """Members join and get keys; the consensus rule and signature requirement change."""

    def __init__(self, record: Record) -> None:
        self.record = record

    # -- roster --------------------------------------------------------------------------------

    def members(self, group: str | None = None) -> list[Member]:
        """The roster in its order; with ``group``, that stakeholder group's members only."""
        if group is None:
            return list(self.record.roster)
        config.known_group(group, self.record.settings.groups)
        return [m for m in self.record.roster if m.group == group]

    def add_member(
        self,
        handle: str,
        *,
        name: str,
        email: str,
        group: str,
        roles: Iterable[str] = ("member",),
        ssh_key: str = "",
        force: bool = False,
    ) -> Member:
        """Add a member (the secretariat; anyone adds the first). A handle, name or email that
        can be mistaken for another member's is refused (:class:`LookAlike`) unless ``force``
        says they are different people."""
        roster = self.record.roster
        member = config.make_member(
            handle=handle,
            name=name,
            email=email,
            group=group,
            roles=roles,
            groups=self.record.settings.groups,
            ssh_key=signing.normalise_public_key(ssh_key) if ssh_key else "",
        )
        if len(roster):
            actor = self.record.require("add member")
        else:
            # The first member founds the roster; someone must be able to change it afterwards.
            if not member.has(Role.SECRETARIAT):
                raise InvalidInput(
                    "the first member founds the roster and needs the secretariat role",
                    remedy=Remedy.FOUNDER_SECRETARIAT,
                )
            actor = member
        roster.with_member(member)  # refuse duplicates before writing anything
        if not force:
            lookalike.refuse_look_alikes(member, roster)

        def build(main: str) -> dict[str, bytes | None]:
            self.record.forget_main()
            current = self.record.roster.with_member(member)
            return {config.ROSTER_PATH: config.dump_roster(current).encode()}

        message = format_message(
            f"Add {member.name} ({member.handle}) to the roster",
            f"Group: {self.record.settings.groups[member.group]}. Roles: "
            f"{', '.join(r.value for r in member.roles)}.",
            self.record.trailers(actor, ("Action", "add-member"), ("Added-Member", member.handle)),
        )
        person = self.record.person(actor)
        self.record.commit_main(build, message, person, person)
        return member

    def set_member_key(self, handle: str, public_key: str) -> Member:
        """Record a member's SSH public key, which then verifies their signatures (secretariat)."""
        actor = self.record.require("add member")
        key = signing.normalise_public_key(public_key)
        target = self.record.roster.get(handle)

        def build(main: str) -> dict[str, bytes | None]:
            self.record.forget_main()
            roster = self.record.roster
            roster.get(handle)
            updated = config.Roster(
                replace(m, ssh_key=key) if m.handle == handle else m for m in roster
            )
            return {config.ROSTER_PATH: config.dump_roster(updated).encode()}

        message = format_message(
            f"Record the SSH key of {target.name} ({handle})",
            key,
            self.record.trailers(actor, ("Action", "member-key"), ("Changed-Member", handle)),
        )
        person = self.record.person(actor)
        self.record.commit_main(build, message, person, person)
        return self.record.roster.get(handle)

    def update_settings(
        self,
        *,
        signatures: str | None = None,
        min_supporting_groups: int | None = None,
        max_objecting_groups: int | None = None,
        require_all_groups_heard: bool | None = None,
        publish: str | None = None,
    ) -> Settings:
        """Change the consensus rule, the signature requirement or what a published site
        shows of deliberation (secretariat)."""
        actor = self.record.require("change settings")
        current = self.record.settings
        if signatures is not None and signatures not in config.SIGNATURE_MODES:
            raise InvalidInput(f"signatures must be one of {', '.join(config.SIGNATURE_MODES)}")
        if publish is not None and publish not in config.PUBLISH_LEVELS:
            raise InvalidInput(f"publish must be one of {', '.join(config.PUBLISH_LEVELS)}")
        for value, what in (
            (min_supporting_groups, "supporting groups"),
            (max_objecting_groups, "objecting groups"),
        ):
            if value is not None and not 0 <= value <= len(current.groups):
                raise InvalidInput(f"{what} must be between 0 and {len(current.groups)}")
        if signatures == "required":
            missing = [m.handle for m in self.record.roster if not m.ssh_key]
            if missing:
                raise InvalidInput(
                    "every member needs an SSH key before signatures are required;"
                    f" missing: {', '.join(missing)}"
                )
        rule = current.consensus
        updated = replace(
            current,
            signatures=signatures if signatures is not None else current.signatures,
            publish=publish if publish is not None else current.publish,
            consensus=replace(
                rule,
                min_supporting_groups=(
                    rule.min_supporting_groups
                    if min_supporting_groups is None
                    else min_supporting_groups
                ),
                max_objecting_groups=(
                    rule.max_objecting_groups
                    if max_objecting_groups is None
                    else max_objecting_groups
                ),
                require_all_groups_heard=(
                    rule.require_all_groups_heard
                    if require_all_groups_heard is None
                    else require_all_groups_heard
                ),
            ),
        )
        if updated == current:
            raise InvalidInput("nothing to change: the settings already read like this")
        text = config.dump_settings(updated).encode()
        message = format_message(
            "Change the working group's settings",
            f"Consensus: {updated.consensus.describe()}. Signatures: {updated.signatures}."
            f" Published: {updated.publish}.",
            self.record.trailers(actor, ("Action", "settings")),
        )
        person = self.record.person(actor)
        self.record.commit_main(lambda main: {config.SETTINGS_PATH: text}, message, person, person)
        return self.record.settings
