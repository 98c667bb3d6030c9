"""Taking data out: the plan as a calendar, a report for a clinician, all data as JSON/CSV."""
