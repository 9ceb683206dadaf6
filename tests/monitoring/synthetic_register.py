"""A synthetic register with planted duplicates, for measuring record linkage: children of
households named as in Ghana and Côte d'Ivoire (day names, many homonyms), and copies of some
of them with the errors registers make: a typo, a transliteration, day and month swapped, a
year-only birth date, the household moved to another area, the head's name misspelt."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

from ipec.monitoring.duplicates import Person

GIVEN = {
    "male": [
        "Kwame",
        "Kofi",
        "Kwaku",
        "Kwabena",
        "Kwadwo",
        "Yaw",
        "Kojo",
        "Kouassi",
        "Konan",
        "Issa",
        "Moussa",
        "Ibrahim",
        "Emmanuel",
        "Daniel",
    ],
    "female": [
        "Akosua",
        "Adwoa",
        "Abena",
        "Akua",
        "Yaa",
        "Afua",
        "Ama",
        "Aminata",
        "Fatou",
        "Mariam",
        "Grace",
        "Esther",
        "Adjoua",
        "Affoué",
    ],
}
FAMILY = [
    "Mensah",
    "Owusu",
    "Boateng",
    "Asante",
    "Osei",
    "Agyemang",
    "Konan",
    "Kouassi",
    "Yao",
    "N'Guessan",
    "Kouadio",
    "Traoré",
    "Coulibaly",
    "Ouattara",
    "Diallo",
    "Bamba",
    "Koné",
    "Appiah",
    "Darko",
    "Ofori",
]
#: Spellings of the same name (transliterations heard in the field).
VARIANTS = {
    "Kwame": "Kouamé",
    "Kofi": "Koffi",
    "Kouassi": "Kwasi",
    "Yaw": "Yao",
    "Akua": "Akwa",
    "Adwoa": "Adjoa",
    "Kwadwo": "Kouadio",
    "N'Guessan": "Nguessan",
    "Traoré": "Traore",
    "Koné": "Kone",
    "Affoué": "Afoue",
    "Osei": "Osseï",
    "Mensah": "Mensa",
    "Owusu": "Owuzu",
}


def _typo(rng: random.Random, text: str) -> str:
    index = rng.randrange(1, len(text) - 1)
    kind = rng.choice(["swap", "drop", "double"])
    if kind == "swap":
        return text[:index] + text[index + 1] + text[index] + text[index + 2 :]
    if kind == "drop":
        return text[:index] + text[index + 1 :]
    return text[:index] + text[index] + text[index:]


def _variant(rng: random.Random, name: str) -> str:
    parts = name.split()
    known = [i for i, part in enumerate(parts) if part in VARIANTS]
    if not known:
        return _typo(rng, name)
    at = rng.choice(known)
    parts[at] = VARIANTS[parts[at]]
    return " ".join(parts)


def register(
    households: int, seed: int = 7, planted: float = 0.1
) -> tuple[list[Person], set[tuple[int, int]]]:
    """``households`` households of 1-5 children in 50 areas, and copies of about
    ``planted`` of the children; the true pairs (original id, copy id)."""
    rng = random.Random(seed)
    people: list[Person] = []
    for _ in range(households):
        family, area = rng.choice(FAMILY), rng.randrange(50)
        head = f"{rng.choice(GIVEN['male'] + GIVEN['female'])} {family}"
        given: set[str] = set()  # siblings are not named alike
        for _ in range(rng.randint(1, 5)):
            sex = rng.choice(["male", "female"])
            name = rng.choice([n for n in GIVEN[sex] if n not in given])
            given.add(name)
            born = date(2008, 1, 1) + timedelta(days=rng.randrange(17 * 365))
            people.append(Person(len(people) + 1, f"{name} {family}", sex, born, head, area))
    truth: set[tuple[int, int]] = set()
    for original in rng.sample(people, int(len(people) * planted)):
        copy = replace(original, id=len(people) + 1)
        errors = rng.sample(["typo", "variant", "swap", "year", "moved", "head"], rng.randint(1, 2))
        for error in errors:
            if error == "typo":
                copy = replace(copy, name=_typo(rng, copy.name))
            elif error == "variant":
                copy = replace(copy, name=_variant(rng, copy.name))
            elif error == "swap" and copy.birth_date.day <= 12:
                born = copy.birth_date
                copy = replace(copy, birth_date=born.replace(month=born.day, day=born.month))
            elif error == "year":
                copy = replace(
                    copy, birth_date=copy.birth_date.replace(month=7, day=1), year_only=True
                )
            elif error == "moved":
                copy = replace(copy, area_id=(copy.area_id + 1 + rng.randrange(49)) % 50)
            elif error == "head":
                copy = replace(copy, head=_typo(rng, copy.head))
        people.append(copy)
        truth.add((original.id, copy.id))
    return people, truth
