"""Words that must never appear in what a respondent's screen, tab or history shows.

Someone watching the device may read a page title, a URL or a browser history entry. Public
titles, slugs and every respondent page title are checked against this list.
"""

from __future__ import annotations

import re

DENY_WORDS = (
    "abuse", "abusive", "abuser", "rape", "raped", "violence", "violent", "domestic", "stalking",
    "stalker", "police", "assault", "vawg", "rasso", "victim", "survivor", "perpetrator",
    "harassment", "coercive", "coercion", "sexual", "fgm", "trafficking", "refuge", "crime",
    "offence", "offender", "honour", "exploitation", "grooming", "dv", "da", "idva", "isva", "sarc",
)  # fmt: skip

_WORD = re.compile(r"[a-z]+")
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def flagged_words(text: str) -> list[str]:
    """The deny-listed words found in `text`, matching whole words in any case or separator."""
    words = set(_WORD.findall(text.lower()))
    return [word for word in DENY_WORDS if word in words]


def neutral_problem(text: str, label: str) -> str | None:
    found = flagged_words(text)
    if found:
        return f"{label} must be neutral: it contains {', '.join(repr(w) for w in found)}"
    return None
