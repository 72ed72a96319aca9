"""Exchange between clones: sync and clone through a remote, the guard a shared remote runs on
every push, login links to the group's shared server, and verify, which audits what arrived."""
