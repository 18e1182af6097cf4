"""Vietnamese text helpers: NFC normalisation, the search fold and the alphabetical sort key."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")

# Vietnamese alphabetical order: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_BASE_RANK = {ch: i for i, ch in enumerate(_ALPHABET)}
# Tones sort after the letter: none, huyền, hỏi, ngã, sắc, nặng (the dictionary order).
_TONE_RANK = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn: part of the letter


def nfc(value):
    """Every text input goes through here on the way in."""
    if value is None:
        return value
    return unicodedata.normalize("NFC", str(value))


def clean_text(value):
    """NFC, trimmed, inner runs of whitespace collapsed."""
    if value is None:
        return ""
    return _SPACES.sub(" ", nfc(value)).strip()


def fold(value):
    """The search fold: lower case, marks stripped, đ → d. "Nghệ nhân Đức" → "nghe nhan duc"."""
    if not value:
        return ""
    decomposed = unicodedata.normalize("NFD", str(value).lower())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.replace("đ", "d")).strip()


def search_text(*parts):
    """The folded text a row is searched by: every part folded, joined by spaces."""
    return " ".join(fold(p) for p in parts if p)


def vi_sort_key(value):
    """A key that sorts Vietnamese words in dictionary order (unlike the fold, đ stays after d)."""
    key = []
    for ch in unicodedata.normalize("NFD", (value or "").lower()):
        if unicodedata.combining(ch):
            if ch in _LETTER_MARKS and key:
                base, tone = key[-1]
                # ă â ê ô ơ ư are letters of their own: rebuild the base letter with its mark.
                letter = unicodedata.normalize("NFC", _ALPHABET[base] + ch) if base < len(_ALPHABET) else ""
                key[-1] = (_BASE_RANK.get(letter, base), tone)
            elif ch in _TONE_RANK and key:
                base, _ = key[-1]
                key[-1] = (base, _TONE_RANK[ch])
            continue
        key.append((_BASE_RANK.get(ch, 100 + ord(ch)), 0))
    return tuple(key)


def sort_key(value):
    """vi_sort_key as fixed-width text for an indexed column, the one database sort key of the
    portal (names, titles, communes): a space sorts before every letter ("An Bình" before "Anh
    Đào"), and anything unusual after the letters."""
    parts = []
    for base, tone in vi_sort_key(value):
        rank = 0 if base == 100 + ord(" ") else min(base + 1, 999)
        parts.append(f"{rank:03d}{tone}")
    return "".join(parts)[:600]
