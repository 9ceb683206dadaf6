"""Each public package says what it exports, and exports exactly that."""

from __future__ import annotations

import importlib

import pytest


@pytest.mark.parametrize(
    "name",
    [
        "ipec",
        "ipec.standards",
        "ipec.classify",
        "ipec.errors",
        "ipec.survey",
        "ipec.survey.maps",
        "ipec.survey.report",
        "ipec.db",
        "ipec.demo",
        "ipec.monitoring",
        "ipec.monitoring.metrics",
        "ipec.monitoring.areas",
        "ipec.auth",
    ],
)
def test_all_names_exist_and_are_sorted(name: str) -> None:
    module = importlib.import_module(name)
    exported = module.__all__
    for member in exported:
        assert hasattr(module, member), f"{name}.{member}"
    assert list(exported) == sorted(exported, key=lambda s: (not s.isupper(), s))
