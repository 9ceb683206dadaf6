"""Programme metrics, aggregated by the database for an area subtree and a period.

Every metric is SQL aggregation (counts grouped by sex and age group), so it stays fast over
millions of records; Python only divides. Each module states its definitions precisely:

- ``rates``: identification rate, hazardous work rate, support rate, follow-up compliance,
  referral acceptance,
  coverage;
- ``cases``: effectiveness (with still in, relapsed, lost to follow-up), time to resolution
  (median, p90), caseload per monitor;
- ``outcomes``: children withdrawn, protected and prevented, once per child (also by month);
- ``breakdowns``: children visited and identified by month and by area, hazardous conditions,
  services by type (for the dashboard's charts);
- ``refusals``: visits the family did not consent to (no other metric reads them);
- ``donor``: the US Department of Labor's common indicators POC1-POC4, POH1-POH4, E1, L1,
  as DOL's toolkit defines them (``calendar``: the date arithmetic they need).
"""

from ipec.monitoring.metrics.breakdowns import (
    AreaCounts,
    MonthCounts,
    hazard_counts,
    identification_by_area,
    services_by_type,
    visits_by_month,
)
from ipec.monitoring.metrics.cases import (
    Caseload,
    Effectiveness,
    Resolution,
    caseload_per_monitor,
    effectiveness,
    effectiveness_rates,
    time_to_resolution,
)
from ipec.monitoring.metrics.common import Count, Period, Rate, months_of
from ipec.monitoring.metrics.donor import (
    COMPULSORY_SCHOOL_AGES,
    LIVELIHOOD_SERVICES,
    PARTICIPANT_SERVICES,
    ChildIndicators,
    HouseholdIndicators,
    HouseholdRates,
    dol_child_indicators,
    dol_education_services,
    dol_household_indicators,
    dol_livelihood_services,
)
from ipec.monitoring.metrics.outcomes import (
    MonthOutcomes,
    OutcomeCounts,
    outcome_counts,
    outcomes_and_months,
    outcomes_by_month,
)
from ipec.monitoring.metrics.rates import (
    coverage,
    follow_up_compliance,
    hazardous_work_rate,
    identification_rate,
    referral_acceptance,
    support_rate,
)
from ipec.monitoring.metrics.refusals import Refusals, consent_refusals

__all__ = [
    "COMPULSORY_SCHOOL_AGES",
    "LIVELIHOOD_SERVICES",
    "PARTICIPANT_SERVICES",
    "AreaCounts",
    "Caseload",
    "ChildIndicators",
    "Count",
    "Effectiveness",
    "HouseholdIndicators",
    "HouseholdRates",
    "MonthCounts",
    "MonthOutcomes",
    "OutcomeCounts",
    "Period",
    "Rate",
    "Refusals",
    "Resolution",
    "caseload_per_monitor",
    "consent_refusals",
    "coverage",
    "dol_child_indicators",
    "dol_education_services",
    "dol_household_indicators",
    "dol_livelihood_services",
    "effectiveness",
    "effectiveness_rates",
    "follow_up_compliance",
    "hazard_counts",
    "hazardous_work_rate",
    "identification_by_area",
    "identification_rate",
    "months_of",
    "outcome_counts",
    "outcomes_and_months",
    "outcomes_by_month",
    "referral_acceptance",
    "services_by_type",
    "support_rate",
    "time_to_resolution",
    "visits_by_month",
]
