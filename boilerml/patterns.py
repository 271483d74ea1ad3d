"""Regex building shared by the stages: many literal cues as one fast pattern."""

from __future__ import annotations

import re


def trie_regex(cues: dict[str, str]) -> str:
    """A regex matching the longest of ``cues`` (cue → regex that must follow it) at a position.

    The cues are factored into a prefix tree, so the engine walks one branch per character
    instead of trying every cue at every position; longer cues are tried before a cue that is
    a prefix of them, which is what the plain alternation sorted longest-first did.
    """
    tree: dict = {}
    for cue, suffix in cues.items():
        node = tree
        for ch in cue:
            node = node.setdefault(ch, {})
        node[""] = suffix  # "" cannot be a character: it marks where a cue ends

    def walk(node: dict) -> str:
        branches = [re.escape(ch) + walk(child) for ch, child in sorted(node.items()) if ch]
        if "" in node:
            branches.append(node[""])
        if len(branches) == 1:
            return branches[0]
        return "(?:" + "|".join(branches) + ")"

    return walk(tree) if tree else "(?!)"
