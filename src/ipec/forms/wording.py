"""The forms' own wording in each language of the deployment (the visit questions themselves
come from the visit page and its catalogue): kept here, beside the forms, because the pages'
catalogue holds only what the pages show."""

from __future__ import annotations

__all__ = ["TEXT", "text"]

#: Message key -> language -> wording.
TEXT: dict[str, dict[str, str]] = {
    "title.registration": {"en": "Household registration", "fr": "Enregistrement du ménage"},
    "title.visit": {"en": "Child visit", "fr": "Visite de l'enfant"},
    "title.follow-up": {"en": "Follow-up visit", "fr": "Visite de suivi"},
    "area": {"en": "Area: %(level)s", "fr": "Zone : %(level)s"},
    "head_name": {"en": "Name of the head of household", "fr": "Nom du chef de ménage"},
    "supply_unit": {
        "en": "Farm or cooperative (optional)",
        "fr": "Exploitation ou coopérative (facultatif)",
    },
    "location": {
        "en": "GPS point of the household (optional)",
        "fr": "Point GPS du ménage (facultatif)",
    },
    "children": {"en": "Children of the household", "fr": "Enfants du ménage"},
    "child_name": {"en": "Child's name", "fr": "Nom de l'enfant"},
    "sex": {"en": "Sex", "fr": "Sexe"},
    "female": {"en": "Girl", "fr": "Fille"},
    "male": {"en": "Boy", "fr": "Garçon"},
    "birth_date": {"en": "Date of birth", "fr": "Date de naissance"},
    "birth_date.bad": {
        "en": "Not in the future, and a child of %(max)s years or less.",
        "fr": "Pas dans le futur, et un enfant de %(max)s ans au plus.",
    },
    "school_status": {"en": "School status (optional)", "fr": "Scolarité (facultatif)"},
    "child": {
        "en": "Child's code (C-0000000, on the child's card)",
        "fr": "Code de l'enfant (C-0000000, sur sa fiche)",
    },
    "child.bad": {"en": "A code such as C-0000123.", "fr": "Un code tel que C-0000123."},
    "child_due": {"en": "Child due for follow-up", "fr": "Enfant à suivre"},
    "visit_date": {"en": "Date of the visit", "fr": "Date de la visite"},
    "visit_date.bad": {"en": "Not in the future.", "fr": "Pas dans le futur."},
    "follow_up_date.bad": {
        "en": "Not in the future, nor before the child's birth.",
        "fr": "Pas dans le futur, ni avant la naissance de l'enfant.",
    },
    "consent": {
        "en": "Does the family agree to answer and to the answers being kept?",
        "fr": "La famille accepte-t-elle de répondre et que les réponses soient conservées ?",
    },
    "consent.hint": {
        "en": "Without consent no answer is asked or kept.",
        "fr": "Sans consentement, aucune réponse n'est demandée ni conservée.",
    },
    "yes": {"en": "Yes", "fr": "Oui"},
    "no": {"en": "No", "fr": "Non"},
    "answers": {"en": "The child's activities", "fr": "Les activités de l'enfant"},
    "hours.bad": {"en": "From 0 to 168 hours.", "fr": "De 0 à 168 heures."},
    "hazards": {
        "en": "Hazardous conditions and tasks (tick every one that applies)",
        "fr": "Conditions et tâches dangereuses (cochez toutes celles qui s'appliquent)",
    },
    "isic.bad": {
        "en": "An ISIC section letter or a 2- to 4-digit code.",
        "fr": "Une lettre de section CITI ou un code de 2 à 4 chiffres.",
    },
    "isco.bad": {"en": "A 1- to 4-digit ISCO-08 code.", "fr": "Un code CITP-08 de 1 à 4 chiffres."},
    "school": {"en": "School attendance this term", "fr": "Fréquentation scolaire ce trimestre"},
    "school_days_attended": {
        "en": "Days the child attended school",
        "fr": "Jours où l'enfant est allé à l'école",
    },
    "school_days_open": {"en": "Days the school was open", "fr": "Jours d'ouverture de l'école"},
    "attended.bad": {
        "en": "From 0 to 366, and not more than the days the school was open.",
        "fr": "De 0 à 366, et pas plus que les jours d'ouverture de l'école.",
    },
    "open.bad": {"en": "From 0 to 366.", "fr": "De 0 à 366."},
}


def text(key: str, language: str, **values: object) -> str:
    """The wording of ``key`` in ``language`` (English where it has none)."""
    wordings = TEXT[key]
    found = wordings.get(language) or wordings["en"]
    return found % values if values else found
