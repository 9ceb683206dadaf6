"""How a name is searched: its words without accents or case, and a key of how each sounds.

A name is cut into words (:func:`words`): accents and case are dropped (``"Kouamé"`` and
``"KOUAME"`` are ``"kouame"``), apostrophes join (``"N'Guessan"`` is ``"nguessan"``) and
every other character that is not a letter or a digit separates words (``"Jean-Baptiste"``
is ``"jean"``, ``"baptiste"``). Letters of other scripts are kept as they are.

Each word has a sound key (:func:`sound_key`), a rough spelling of how it is said, so that
the spellings a name takes in West Africa, in French and in English meet: Kouamé and Kwame,
Kouassi and Kwasi, Kouadio and Kwadwo, Adjoua and Adjowa, Yao and Yaw, Ouattara and
Wattara, Coulibaly and Koulibaly, Philippe and Filip, Chantal and Shantal, Djeneba and
Jeneba, Fatoumata and Fatimata. The rules, in order:

1. ``ou`` before a vowel is the glide ``w`` (Kouamé, Ouattara); any other ``ou`` is ``u``.
2. Letter groups become one sound: ``chr``, ``chl`` → ``kr``, ``kl`` (Christophe);
   ``tch``, ``tsh``, ``sch``, ``sh``, ``ch`` → ``s``; ``ph`` → ``f``; ``th``, ``gh``, ``kh``
   → ``t``, ``g``, ``k``; ``dj``, ``dy`` → ``j``; ``gu`` before ``e``, ``i``, ``y`` → ``g``;
   ``qu``, ``q``, ``ck`` → ``k``; ``c`` before ``e``, ``i``, ``y`` → ``s``, else ``k``;
   ``g`` before ``e``, ``i``, ``y`` → ``j``; ``x`` → ``ks``; ``z`` → ``s``; ``h`` is silent.
3. A letter written twice is one (Koffi, Kofi).
4. A final ``e`` after a consonant is silent in a word of four letters or more
   (Philippe, Kouamé).
5. ``y`` at the start of a word or between vowels is a consonant (Yao, Aya), elsewhere a
   vowel; ``w`` at the start is a consonant (Wattara), elsewhere a vowel (Kwame).
6. Each run of vowels becomes one ``a``: the key keeps the consonants and where the vowels
   fall, not which vowels they are.

A word with a digit is its own key. The key is coarse by design (a search by sound finds
the spellings of a name, and some other names that sound alike, which the list shows beside
each other); a search by the letters typed (a prefix of a word) is exact.

>>> words("  N'Guessan KOUAMÉ-Aya ")
['nguessan', 'kouame', 'aya']
>>> sound_key("kouame") == sound_key("kwame") == "kam"
True
>>> [sound_key(word) for word in ("yao", "yaw", "adjoua", "adjowa", "philippe", "filip")]
['ya', 'ya', 'aja', 'aja', 'falap', 'falap']
"""

from __future__ import annotations

import functools
import re
import unicodedata

__all__ = ["MAX_WORD", "sound_key", "words"]

#: Words are cut to this many characters (a longer one is no name).
MAX_WORD = 40

#: Letters not decomposed by NFKD, written as their Latin equivalents.
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "đ": "d", "ł": "l",
                            "\u0131": "i", "ŋ": "n", "ɔ": "o", "ɛ": "e", "ƴ": "y", "ɓ": "b",
                            "ɗ": "d"})  # fmt: skip
#: Apostrophes (straight, right single quotation mark, modifier letter, grave, acute).
_APOSTROPHES = re.compile("['\u2019\u02bc`\u00b4]")
_SEPARATORS = re.compile(r"[\W_]+")

_GROUPS = re.compile(
    r"chr|chl|tch|tsh|sch|sh|ch|ph|th|gh|kh|dj|dy|gu(?=[eiy])|qu|ck|c(?=[eiy])|g(?=[eiy])|q|c|x|z|h"
)
_SOUNDS = {"chr": "kr", "chl": "kl", "tch": "s", "tsh": "s", "sch": "s", "sh": "s", "ch": "s",
           "ph": "f", "th": "t", "gh": "g", "kh": "k", "dj": "j", "dy": "j", "gu": "g",
           "qu": "k", "ck": "k", "c": "k", "g": "j", "q": "k", "x": "ks", "z": "s",
           "h": ""}  # fmt: skip
_VOWELS = frozenset("aeiou")


def words(text: str) -> list[str]:
    """The words of ``text``: lower case, without accents, apostrophes joined, split at
    anything that is not a letter or a digit (of any script), each cut to :data:`MAX_WORD`
    characters."""
    folded = unicodedata.normalize("NFKD", text.casefold().translate(_LIGATURES))
    plain = "".join(c for c in folded if not unicodedata.combining(c)).translate(_LIGATURES)
    joined = _APOSTROPHES.sub("", plain)
    return [word[:MAX_WORD] for word in _SEPARATORS.split(joined) if word]


def _sound_of(match: re.Match[str]) -> str:
    """The sound of a letter group of rule 2 (``c``: soft before e, i, y)."""
    found = match.group(0)
    if found == "c":
        return "s" if match.string[match.end() : match.end() + 1] in ("e", "i", "y") else "k"
    return _SOUNDS[found]


def _consonant(text: str, index: int) -> bool:
    """Whether the letter at ``index`` of ``text`` is said as a consonant (rule 5)."""
    letter = text[index]
    if letter == "y":
        before = text[index - 1] if index else ""
        after = text[index + 1 : index + 2]
        return index == 0 or (before in _VOWELS and after in _VOWELS)
    if letter == "w":
        return index == 0
    return letter not in _VOWELS


@functools.lru_cache(maxsize=65_536)
def sound_key(word: str) -> str:
    """How ``word`` (one of :func:`words`) sounds, by the rules of the module's notes."""
    if not word.isascii() or not word.isalpha():
        return word
    text = re.sub(r"ou(?=[aeio])", "w", word).replace("ou", "u")
    text = _GROUPS.sub(_sound_of, text)
    text = re.sub(r"(.)\1+", r"\1", text)
    if len(text) >= 4 and text.endswith("e") and text[-2] not in _VOWELS:
        text = text[:-1]
    key: list[str] = []
    in_vowels = False
    for index, letter in enumerate(text):
        if _consonant(text, index):
            key.append(letter)
            in_vowels = False
        elif not in_vowels:
            key.append("a")
            in_vowels = True
    return "".join(key)
