"""Audit: who changed what and when, with the entity before and after, for every admin write."""
