"""A scorer made outside Parla, in a package of its own (tests/fixtures/plugins/
parla_template_scorer), plugged in by SPEECH_PROVIDER alone and held to the SpeechScorer
contract through parla_contracts, as its author would: once named as package.module:Factory
with its folder on the path, once by its entry point after installing it."""

import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from adapters.metrics import PrometheusMetrics
from deployments.providers import build_speech_scorer
from deployments.settings import Settings
from parla_contracts.speech_scorer import SpeechScorerContract
from ports.scoring import SpeechScorer

PLUG_IN = Path(__file__).resolve().parents[1] / "fixtures" / "plugins" / "parla_template_scorer"
PACKAGE = "parla_template_scorer"


@contextmanager
def on_path(folder: Path) -> Iterator[None]:
    """`folder` first on sys.path, as PYTHONPATH puts it; the package forgotten afterwards, so
    that the next test imports it from where it names."""
    sys.path.insert(0, str(folder))
    try:
        yield
    finally:
        sys.path.remove(str(folder))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def scorer_named(provider: str) -> SpeechScorer:
    return build_speech_scorer(
        Settings(_env_file=None, speech_provider=provider), PrometheusMetrics()
    )  # type: ignore[call-arg]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The plug-in installed (with its entry point metadata) into a folder of its own, built
    from a copy so that the build leaves nothing in the fixture."""
    source = shutil.copytree(PLUG_IN, tmp_path_factory.mktemp("source") / PACKAGE)
    target = tmp_path_factory.mktemp("site")
    uv = Path(sys.executable).with_name("uv")
    installer = [str(uv), "pip"] if uv.exists() else [sys.executable, "-m", "pip"]
    command = [*installer, "install", "--python", sys.executable, "--no-deps"]
    subprocess.run(
        [*command, "--target", str(target), str(source)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return target


class TestByImportPath(SpeechScorerContract):
    @pytest.fixture(scope="class")
    def scorer(self) -> Iterator[SpeechScorer]:
        with on_path(PLUG_IN):
            yield scorer_named("parla_template_scorer:TemplateScorer")


class TestByEntryPoint(SpeechScorerContract):
    @pytest.fixture(scope="class")
    def scorer(self, site: Path) -> Iterator[SpeechScorer]:
        with on_path(site):
            scorer = scorer_named("template")
            assert sys.modules[PACKAGE].__file__.startswith(str(site))
            yield scorer


def test_the_entry_point_is_listed_when_a_name_is_unknown(site: Path):
    with on_path(site), pytest.raises(ValueError, match=r"parla\.speech_scorers.*'template'"):
        scorer_named("templat")
