"""Model adapters from outside Parla, named by a provider setting instead of a built-in name.

A plug-in is named either as `package.module:Factory` (importable from the process's path,
e.g. PYTHONPATH) or by the name of a Python entry point in its port's group (PORTS below),
which an installed package declares in its pyproject.toml:

    [project.entry-points."parla.speech_scorers"]
    template = "parla_template_scorer:TemplateScorer"

The factory is called with no arguments (a class with defaults is a factory); a plug-in reads
options of its own from environment variables of its own. What it returns must satisfy the
port: every attribute of the Protocol present, `provider` a non-empty string, and each method
the port declares `async` a coroutine function. Anything else (an unknown name, a module that
does not import, a factory that fails or returns the wrong thing) is a PlugInError that names
the setting: the launcher builds every plug-in once before Ray Serve starts, so `make run`
stops with that message, and each deployment builds its own when its replica starts."""

import importlib
import inspect
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any

from ports.language_model import LanguageModel
from ports.scoring import SpeechScorer
from ports.speech import SpeechRecognizer, SpeechSynthesizer


@dataclass(frozen=True)
class PlugInPort:
    setting: str
    group: str
    """The entry point group that installed packages declare adapters of this port in."""
    protocol: type


PORTS: dict[str, PlugInPort] = {
    port.setting: port
    for port in (
        PlugInPort("SPEECH_PROVIDER", "parla.speech_scorers", SpeechScorer),
        PlugInPort("STT_PROVIDER", "parla.speech_recognizers", SpeechRecognizer),
        PlugInPort("TTS_PROVIDER", "parla.speech_synthesizers", SpeechSynthesizer),
        PlugInPort("LLM_PROVIDER", "parla.language_models", LanguageModel),
    )
}

_IMPORT_PATH = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")


class PlugInError(ValueError):
    """A plug-in that cannot be used; the message starts with the setting that names it."""


def installed(setting: str) -> list[str]:
    """The entry point names installed in the group of `setting`'s port."""
    return sorted({point.name for point in entry_points(group=PORTS[setting].group)})


def check_name(setting: str, name: str) -> None:
    """Whether `name` can name a plug-in of `setting`'s port, without importing it: an import
    path `package.module:Factory`, or an installed entry point of the port's group."""
    if _IMPORT_PATH.fullmatch(name) or name in installed(setting):
        return
    raise PlugInError(
        f"{setting}: unknown provider {name!r}; name a built-in one, a package.module:Factory, "
        f"or an entry point of group {PORTS[setting].group!r} "
        f"(installed: {installed(setting) or 'none'})"
    )


def build_plug_in(setting: str, name: str) -> Any:
    """The adapter that the factory `name` makes, checked against `setting`'s port."""
    port = PORTS[setting]
    factory = _factory(port, name)
    try:
        adapter = factory()
    except Exception as error:  # whatever a foreign factory raises is a start-up error
        raise PlugInError(f"{setting}={name}: the factory failed: {error!r}") from error
    if problem := _mismatch(adapter, port.protocol):
        raise PlugInError(
            f"{setting}={name}: the factory returned {type(adapter).__qualname__}, "
            f"not a {port.protocol.__name__}: {problem}"
        )
    return adapter


def check_plug_ins(chains: Mapping[str, list[str]], built_in: Mapping[str, set[str]]) -> None:
    """Builds (and drops) every plug-in the settings name, so that a wrong one stops start-up
    with its PlugInError rather than failing in a replica."""
    for setting, names in chains.items():
        for name in names:
            if name not in built_in[setting]:
                build_plug_in(setting, name)


def _factory(port: PlugInPort, name: str) -> Callable[[], object]:
    if _IMPORT_PATH.fullmatch(name):
        module_name, _, attribute = name.partition(":")
        try:
            target: object = importlib.import_module(module_name)
            for part in attribute.split("."):
                target = getattr(target, part)
        except Exception as error:  # ImportError, or anything the module raises on import
            raise PlugInError(f"{port.setting}={name}: cannot import it: {error!r}") from error
    else:
        points = entry_points(group=port.group, name=name)
        if not points:
            check_name(port.setting, name)  # raises: no such entry point
        try:
            target = next(iter(points)).load()
        except Exception as error:
            raise PlugInError(
                f"{port.setting}={name}: entry point of {port.group!r} cannot be loaded: {error!r}"
            ) from error
    if not callable(target):
        raise PlugInError(f"{port.setting}={name}: {target!r} is not callable")
    return target


def _mismatch(adapter: object, protocol: type) -> str | None:
    """What keeps `adapter` from satisfying `protocol` (a runtime_checkable Protocol), if
    anything."""
    if not isinstance(adapter, protocol):
        missing = [
            name
            for name in dir(protocol)
            if not name.startswith("_") and not hasattr(adapter, name)
        ]
        missing += [
            name for name in getattr(protocol, "__annotations__", {}) if not hasattr(adapter, name)
        ]
        return f"it lacks {', '.join(sorted(set(missing)))}"
    provider = getattr(adapter, "provider", None)
    if not isinstance(provider, str) or not provider:
        return f"its provider is {provider!r}, not a non-empty string"
    for name, declared in vars(protocol).items():
        if inspect.iscoroutinefunction(declared) and not inspect.iscoroutinefunction(
            getattr(adapter, name)
        ):
            return f"its {name} is not an async method"
    return None
