"""Programme metrics, aggregated by the database for an area subtree and a period.

Every metric is SQL aggregation (counts grouped by sex and age group), so it stays fast over
millions of records; Python only divides. Each module states its definitions precisely:

- ``rates``: identification rate, support rate, follow-up compliance, referral acceptance.
"""

from ipec.monitoring.metrics.common import Period, Rate
from ipec.monitoring.metrics.rates import (
    follow_up_compliance,
    identification_rate,
    referral_acceptance,
    support_rate,
)

__all__ = [
    "Period",
    "Rate",
    "follow_up_compliance",
    "identification_rate",
    "referral_acceptance",
    "support_rate",
]
