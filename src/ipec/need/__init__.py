"""Coverage of need: the survey's estimated children in child labour per area, kept on the
areas (:mod:`ipec.need.estimates`), against the children the monitoring has identified
(:mod:`ipec.need.coverage`)."""
