"""A visit's classification explained in the reader's language.

A visit stores its explanation in English (the record, as exported and audited). A page in
another language says it again from the visit's own answers, classified by the very rules that
gave the stored verdict: only when the visit was classified under the profile the programme
runs today, at the same version; an older visit keeps its stored English words rather than
being explained by rules it was not judged by.
"""

from __future__ import annotations

from collections.abc import Iterable

from ipec.classify import classify_child
from ipec.classify.explain import Wording
from ipec.errors import IpecError
from ipec.monitoring.models import Visit
from ipec.standards import Profile

__all__ = ["explanations"]


def explanations(visits: Iterable[Visit], profile: Profile, wording: Wording) -> dict[int, str]:
    """Each visit's explanation by id, in ``wording``'s language where it can be said again,
    its stored English otherwise.

    >>> from types import SimpleNamespace
    >>> from ipec.standards import load_profile
    >>> profile = load_profile("sdg-8.7.1")
    >>> visit = SimpleNamespace(id=1, record={"age": 7, "econ_any": False},
    ...     profile_id=profile.id, profile_version=profile.version, explanation="(stored)")
    >>> explanations([visit], profile, Wording("fr", lambda text: text.upper()))[1][:30]
    'NO ECONOMIC ACTIVITY WAS REPOR'
    """
    said: dict[int, str] = {}
    for visit in visits:
        said[visit.id] = visit.explanation
        current = (visit.profile_id, visit.profile_version) == (profile.id, profile.version)
        if wording.language == "en" or not current or not visit.record:
            continue
        try:
            said[visit.id] = classify_child(visit.record, profile, wording).explanation
        except IpecError:
            continue  # answers the rules no longer read: the stored words stand
    return said
