"""Parla's domain core: rules and use cases, one package per bounded context.

Imports only the standard library and ports/ (a contract test enforces it)."""
