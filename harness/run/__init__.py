"""What one run is, at the bottom of the scoring layer: its persisted config (``run.json``) and its records
as every statistic reads them (:class:`~harness.run.data.RunData`)."""
