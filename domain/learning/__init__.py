"""The learner's record: learning profiles, the pronunciation analyses and assessments that
last, and what the learner chose to keep."""
