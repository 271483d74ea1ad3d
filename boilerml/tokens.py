"""Tokens as ``../shared/METRICS.md`` defines them, shared by features and metrics.

A token is a run of ``\\w`` characters, except that every CJK character (Han, Hiragana,
Katakana, Hangul, CJK compatibility and extension blocks) is a token of its own. This counts
unspaced scripts per character without a word segmenter.
"""

from __future__ import annotations

import re

#: Code point ranges counted as CJK: one token per character.
CJK_RANGES = (
    "\u1100-\u11ff"  # Hangul Jamo
    "\u2e80-\u2fdf"  # CJK radicals, Kangxi radicals
    "\u3005-\u3007"  # ideographic iteration mark, closing mark, number zero
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u3130-\u318f"  # Hangul compatibility Jamo
    "\u31f0-\u31ff"  # Katakana phonetic extensions
    "\u3300-\u33ff"  # CJK compatibility
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\ua960-\ua97f"  # Hangul Jamo extended A
    "\uac00-\ud7ff"  # Hangul syllables, Jamo extended B
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\uff66-\uffdc"  # half-width Katakana and Hangul
    "\U00020000-\U0003134f"  # CJK extensions B to G, compatibility supplement
)
CJK_CHAR = re.compile(f"[{CJK_RANGES}]")
#: Characters two cells wide in a terminal: CJK, CJK punctuation and full-width forms. Text
#: sets them against each other without spaces.
WIDE_RANGES = f"{CJK_RANGES}\u3000-\u303f\uff01-\uff60\uffe0-\uffe6"
WIDE_CHAR = re.compile(f"[{WIDE_RANGES}]")
# A CJK character is a token only if it is a \w character (CJK punctuation such as "・" is not).
TOKEN = re.compile(f"(?=\\w)[{CJK_RANGES}]|[^\\W{CJK_RANGES}]+")
WORD = re.compile(r"\w+")


def display_width(text: str) -> int:
    """How many terminal cells ``text`` takes: one per character, two per wide character."""
    return len(text) + len(WIDE_CHAR.findall(text))


def tokenize(text: str) -> list[str]:
    """Tokens of ``text``: ``\\w`` runs, CJK characters one by one, case kept.

    >>> tokenize("Alibaba 阿里巴巴 2016年")
    ['Alibaba', '阿', '里', '巴', '巴', '2016', '年']
    """
    return TOKEN.findall(text)


def words(text: str) -> list[str]:
    """Plain ``\\w+`` runs (the unit of AEB shingles; an unspaced sentence is one word)."""
    return WORD.findall(text)
