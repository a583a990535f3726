"""The dependency rule: domain -> ports only; adapters -> ports, domain; deployments -> all
below it; evaluation (the evaluation commands) -> all, deployments included."""

import logging
import sys
from pathlib import Path

import grimp
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[2]


def test_import_linter_contracts_hold():
    # lint_imports configures logging with dictConfig, which disables every logger that exists
    # already: keep them working for the tests that run after this one.
    enabled = [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger) and not logger.disabled
    ]
    try:
        assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == 0
    finally:
        for logger in enabled:
            logger.disabled = False


def test_domain_and_ports_import_only_the_standard_library():
    graph = grimp.build_graph("domain", "ports", include_external_packages=True, cache_dir=None)
    offenders = {
        (module, imported)
        for module in graph.modules
        if module.split(".")[0] in ("domain", "ports")
        for imported in graph.find_modules_directly_imported_by(module)
        if imported.split(".")[0] not in ("domain", "ports", *sys.stdlib_module_names)
    }
    assert offenders == set()
