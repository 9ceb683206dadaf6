"""The web tier: ``create_app(settings)`` builds the JSON API (and later the pages).

Rule: routes parse, call one service or access function, and render; they never query
children's records except through ``ipec.auth.access``.
"""

from ipec.web.app import create_app

__all__ = ["create_app"]
