"""A synthetic country for demonstrations and load tests: two years of child labour
monitoring and remediation up to a given day, under the cocoa sector's hazardous-work list
(profile ``cocoa-ci-2017``) by default. Nothing here is real data.

Rule: this package invents records, never rules. Verdicts come from ``ipec.classify``, case
steps from the workflow's table, follow-up due days from ``ipec.monitoring.followup``, the
copies of other records' columns from ``ipec.monitoring.copies`` and the facts the metrics
read from ``ipec.monitoring.readmodel``; the records are written in bulk (``ipec.db.bulk``).

- :mod:`~ipec.demo.size`: how big the country is;
- :mod:`~ipec.demo.country`: areas, partners, who records;
- :mod:`~ipec.demo.work`: what a visit records of a child, by age;
- :mod:`~ipec.demo.verdicts`: the visits classified, with their reasons and explanations;
- :mod:`~ipec.demo.histories`: each case's steps;
- :mod:`~ipec.demo.remediation`: services suited to age, referrals;
- :mod:`~ipec.demo.chunk`: one chunk of households and everything that follows from them;
- :mod:`~ipec.demo.writer`: the whole country in one transaction.
"""

from ipec.demo.size import DemoSize
from ipec.demo.writer import DEMO_PARTNER, DEMO_PASSWORD, Progress, seed_database, seed_demo

__all__ = [
    "DEMO_PARTNER",
    "DEMO_PASSWORD",
    "DEMO_PROFILE",
    "DemoSize",
    "Progress",
    "seed_database",
    "seed_demo",
]

#: The profile the demo is classified under and served with.
DEMO_PROFILE = "cocoa-ci-2017"
