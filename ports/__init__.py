"""Ports: the interfaces the domain needs from the outside world, and the value types that
cross them. Imports only the standard library."""
