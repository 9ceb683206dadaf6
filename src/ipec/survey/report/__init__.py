"""The situational analysis report: one self-contained HTML page from a survey.

Rule: computing (``content``) and presenting (``charts``, ``render``) stay apart; the page
fetches nothing (no script, font or image from elsewhere).
"""

from ipec.survey.report.build import write_report
from ipec.survey.report.content import ReportContent, build_content
from ipec.survey.report.i18n import LANGUAGES, text_for
from ipec.survey.report.render import render_report

__all__ = [
    "LANGUAGES",
    "ReportContent",
    "build_content",
    "render_report",
    "text_for",
    "write_report",
]
