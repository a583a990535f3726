"""Adapters: implementations of ports, one package per technology."""
