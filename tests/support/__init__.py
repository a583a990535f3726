"""Test doubles that speak real wire formats over real connections."""
