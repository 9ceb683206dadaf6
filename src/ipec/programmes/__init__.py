"""Programmes and their targets: planned values beside what the metrics achieved, and the
US DOL Technical Progress Report's Annex A (see docs/monitoring.md, "Programmes and
targets").

Import from the modules: ``models`` (the tables, registered with the monitoring records by
``ipec.monitoring.models``, so this package imports nothing at its top), ``service``
(writing, with every rule), ``indicators`` (what a target may name), ``results``
(planned versus achieved) and ``annex`` (US DOL's Annex A).
"""
