"""The hierarchy of administrative areas: importing it from a file, and reading it back.

Rule: an import is all of the file or nothing. A file is checked whole against itself and
the stored areas before anything is written, and refused with every bad row named.
"""

from ipec.monitoring.areas.files import AreaFile, AreaFileRefused, AreaRow, BadRow, read_area_file
from ipec.monitoring.areas.load import ImportSummary, import_areas
from ipec.monitoring.areas.plan import ImportPlan, StoredArea, plan_import
from ipec.monitoring.areas.tree import AreaNode, area_by_code, area_tree

__all__ = [
    "AreaFile",
    "AreaFileRefused",
    "AreaNode",
    "AreaRow",
    "BadRow",
    "ImportPlan",
    "ImportSummary",
    "StoredArea",
    "area_by_code",
    "area_tree",
    "import_areas",
    "plan_import",
    "read_area_file",
]
