"""Alembic migrations of the SQL adapter (a package so that wheels ship them)."""
