"""The directory: organizations, people, cities and city partnerships.

Planners look up counterparts here (profile, why they matter at home,
contacts, every appointment with them across delegations) and keep the
records current. ``routes`` holds the thin views, ``forms`` the input rules
(each form turns into a typed input of ``inputs``), ``queries`` the
eager-loading reads and ``operations`` the writes, which take those inputs.
"""

from __future__ import annotations


def native_lang(text: str | None) -> str | None:
    """A language tag for a name in its local script, so browsers pick the right CJK glyphs.

    Hangul means Korean, kana Japanese, Han characters alone Chinese; the
    same Han character is drawn differently in each, and a ``lang`` attribute
    is how a page says which. Other scripts return None (no attribute).
    """
    if not text:
        return None
    if any("\uac00" <= ch <= "\ud7a3" or "\u1100" <= ch <= "\u11ff" or "\u3130" <= ch <= "\u318f" for ch in text):
        return "ko"
    if any("\u3040" <= ch <= "\u30ff" for ch in text):
        return "ja"
    if any("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" for ch in text):
        return "zh"
    return None
