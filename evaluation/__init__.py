"""Parla's evaluation commands: measurements of its adapters on data sets, run by researchers
and by the README's tables. A top layer, like deployments: it builds adapters through the
composition root and imports everything below it."""
