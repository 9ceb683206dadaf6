"""A household's GPS point as the forms send it: two text fields (filled by the browser's
"Use my location" button, ``static/location.js``, or typed), both or neither, checked by the
service's rule (``ipec.monitoring.service.check_location``) with the message beside the
field in the user's language."""

from __future__ import annotations

import math

from ipec.errors import DataError
from ipec.monitoring.service import check_location
from ipec.web.pages.forms import FormState, Say
from ipec.web.pages.i18n import translatable

__all__ = ["Point", "read_location"]

#: A GPS point (latitude, longitude) in degrees, or None for none.
Point = tuple[float, float] | None

_BOUNDS = {"latitude": 90, "longitude": 180}


def _number(state: FormState, key: str, say: Say) -> float | None:
    text = state.typed.get(key, "").strip().replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        state.errors[key] = say(translatable("Enter a number of degrees, such as 5.3364."))
        return None
    return value


def read_location(state: FormState, say: Say) -> Point:
    """The point typed in the form's ``latitude`` and ``longitude`` fields; None when both
    are empty or one is wrong (then with a message beside it)."""
    latitude = _number(state, "latitude", say)
    longitude = _number(state, "longitude", say)
    if "latitude" in state.errors or "longitude" in state.errors:
        return None
    try:
        check_location(latitude, longitude)
    except DataError as error:
        column = error.column or "latitude"
        if (latitude is None) != (longitude is None):
            message = say(translatable("Give both the latitude and the longitude, or neither."))
        elif column == "latitude":
            message = say(translatable("The latitude is from -90 to 90 degrees."))
        else:
            message = say(translatable("The longitude is from -180 to 180 degrees."))
        state.errors[column if column in _BOUNDS else "latitude"] = message
        return None
    if latitude is None or longitude is None:
        return None
    return latitude, longitude
