"""docs/asyncapi.yaml: a well-formed AsyncAPI 3.0 document whose message types, both ways, are
those the WebSocket code sends and accepts (the lists in the socket modules, and the literal
types the code itself writes)."""

import ast
import inspect
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from adapters.http import socket_fanout, sockets
from adapters.http.routers import messaging_socket, voice_socket
from domain.messaging.events import SCHEMAS
from domain.tutor import learn

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "asyncapi.yaml"
SHARED_CLIENT = {sockets.AUTH}
SHARED_SERVER = {sockets.ERROR, sockets.TOKEN_EXPIRING, sockets.AUTHENTICATED, sockets.AUTH_EXPIRED}
PROTOCOLS = {
    "messaging": (messaging_socket.CLIENT_MESSAGES, messaging_socket.SERVER_MESSAGES),
    "englishOnly": (
        voice_socket.ENGLISH_ONLY_CLIENT_MESSAGES,
        voice_socket.ENGLISH_ONLY_SERVER_MESSAGES,
    ),
    "learn": (voice_socket.LEARN_CLIENT_MESSAGES, voice_socket.LEARN_SERVER_MESSAGES),
}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return yaml.safe_load(DOCUMENT.read_text())


def resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = document
    for part in ref[2:].split("/"):
        assert part in node, f"{ref} does not resolve"
        node = node[part]
    return node


def refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if "$ref" in node else []
        return found + [r for value in node.values() for r in refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in refs(value)]
    return []


def message_type(document: dict[str, Any], message: dict[str, Any]) -> str:
    """The `type` const of a message's payload (through $ref and allOf)."""
    while "$ref" in message:
        message = resolve(document, message["$ref"])
    payload = message["payload"]
    while "$ref" in payload:
        payload = resolve(document, payload["$ref"])
    parts = [
        resolve(document, p["$ref"]) if "$ref" in p else p for p in payload.get("allOf", [payload])
    ]
    consts = [p["properties"]["type"].get("const") for p in parts]
    consts = [c for c in consts if c is not None]
    assert len(consts) == 1, message
    return consts[0]


def documented(document: dict[str, Any], channel: str, action: str) -> set[str]:
    return {
        message_type(document, resolve(document, m["$ref"]))
        for operation in document["operations"].values()
        if operation["action"] == action and operation["channel"]["$ref"] == f"#/channels/{channel}"
        for m in operation["messages"]
    }


def test_the_document_is_asyncapi_3_with_every_reference_resolved(document):
    assert document["asyncapi"] == "3.0.0"
    assert {c["address"] for c in document["channels"].values()} == {
        "/ws/{token}",
        "/ws/english-only",
        "/ws/learn",
    }
    for ref in refs(document):
        resolve(document, ref)


@pytest.mark.parametrize("channel", PROTOCOLS)
def test_each_socket_documents_every_message_type_both_ways(document, channel):
    client, server = PROTOCOLS[channel]
    assert documented(document, channel, "receive") == SHARED_CLIENT | set(client)
    assert documented(document, channel, "send") == SHARED_SERVER | set(server)
    channel_messages = document["channels"][channel]["messages"].values()
    assert {message_type(document, m) for m in channel_messages} == (
        SHARED_CLIENT | SHARED_SERVER | set(client) | set(server)
    )


def _tree(module: ModuleType) -> ast.Module:
    return ast.parse(inspect.getsource(module))


def _strings(node: ast.AST) -> set[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return {s for e in node.elts for s in _strings(e)}
    return set()


def _produced(node: ast.AST) -> set[str]:
    """The strings an expression can give: a literal, either branch of `a if c else b`, or
    the values of a literal mapping looked up (`{"x": "y"}.get(name, name)`)."""
    if isinstance(node, ast.IfExp):
        return _produced(node.body) | _produced(node.orelse)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if isinstance(node.func.value, ast.Dict):
            return {s for v in node.func.value.values for s in _strings(v)}
    return _strings(node)


def sent_types(module: ModuleType) -> set[str]:
    """Types of the messages the module writes: {"type": "..."} (or a variable set to such
    strings just before) and Reply("...", ...)."""
    tree = _tree(module)
    assigned: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            if isinstance(node.targets[0], ast.Name):
                assigned.setdefault(node.targets[0].id, set()).update(_produced(node.value))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "type":
                    found |= _strings(value)
                    if isinstance(value, ast.Name):
                        found |= assigned.get(value.id, set())
        if isinstance(node, ast.Call) and node.args:
            callee = node.func.attr if isinstance(node.func, ast.Attribute) else node.func
            name = callee.id if isinstance(callee, ast.Name) else callee
            if name in ("Reply", "_say"):
                found |= _strings(node.args[0])
    return found


def accepted_types(module: ModuleType) -> set[str]:
    """Types of the requests the module handles: `request == "..."`, `request in (...)`."""
    found: set[str] = set()
    for node in ast.walk(_tree(module)):
        if isinstance(node, ast.Compare) and isinstance(node.left, ast.Name):
            if node.left.id == "request":
                for comparator in node.comparators:
                    found |= _strings(comparator)
    return found


def test_the_code_sends_and_accepts_exactly_the_documented_types():
    messaging_client, messaging_server = PROTOCOLS["messaging"]
    assert accepted_types(messaging_socket) == set(messaging_client)
    # The fan-out also passes on some events under their own names.
    conversation_events = {name.rsplit(".", 1)[-1] for name, _ in SCHEMAS}
    written = sent_types(messaging_socket) | sent_types(socket_fanout)
    assert written <= set(messaging_server)
    assert set(messaging_server) - written <= conversation_events

    voice_client = {*voice_socket.ENGLISH_ONLY_CLIENT_MESSAGES, *voice_socket.LEARN_CLIENT_MESSAGES}
    assert accepted_types(voice_socket) == voice_client
    assert sent_types(voice_socket) == set(voice_socket.ENGLISH_ONLY_SERVER_MESSAGES) | {"ready"}
    assert sent_types(learn) == set(voice_socket.LEARN_SERVER_MESSAGES) - {"ready"}

    assert sent_types(sockets) == SHARED_SERVER
