"""The built-in example working group: starter drafts and a fictional roster."""

from __future__ import annotations

from importlib import resources


def example_drafts() -> dict[str, str]:
    """Slug -> Markdown text of each starter draft."""
    folder = resources.files(__package__) / "drafts"
    return {
        entry.name.removesuffix(".md"): entry.read_text(encoding="utf-8")
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".md")
    }


def example_roster() -> str:
    return (resources.files(__package__) / "roster.toml").read_text(encoding="utf-8")
