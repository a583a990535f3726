"""A local stand-in for Azure AI Speech that speaks just enough of the Speech SDK's WebSocket
protocol for the real SDK (azure-cognitiveservices-speech) to recognize and synthesize against
it, plus the voices list over plain HTTP. Nothing reaches the internet."""

import asyncio
import base64
import contextlib
import hashlib
import json
import socket
from typing import Any

_WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455
RECOGNITION_PATH = "/speech/recognition/conversation/cognitiveservices/v1"
SYNTHESIS_PATH = "/cognitiveservices/websocket/v1"
VOICES_PATH = "/cognitiveservices/voices/list"


class FakeSpeechService:
    """Accepts the SDK's WebSocket and records what it sends (request paths, speech.context,
    audio, SSML). A recognition turn is answered once its audio has ended, with `phrases` as
    speech.phrase messages (a dict is one phrase; None never answers). A synthesis turn is
    answered with `speech` as audio messages of `chunk_size` bytes (None never answers).
    `refuse_with` fails every handshake with that HTTP status. A plain GET of VOICES_PATH
    answers `voices` as JSON."""

    def __init__(
        self,
        phrase: dict[str, Any] | list[dict[str, Any]] | None = None,
        refuse_with: int | None = None,
        speech: bytes | None = None,
        chunk_size: int = 4096,
        voices: list[dict[str, Any]] | None = None,
    ):
        self.phrases = [phrase] if isinstance(phrase, dict) else phrase
        self.refuse_with = refuse_with
        self.speech = speech
        self.chunk_size = chunk_size
        self.voices = voices or []
        self.requests: list[str] = []
        self.headers: list[dict[str, str]] = []
        self.contexts: list[dict[str, Any]] = []
        self.ssml: list[str] = []
        self.synthesis_contexts: list[dict[str, Any]] = []
        self.audio = bytearray()
        self._connections: dict[asyncio.Task[None], asyncio.StreamWriter] = {}
        self._server: asyncio.Server | None = None

    @property
    def host(self) -> str:
        assert self._server is not None
        return f"127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    @property
    def endpoint(self) -> str:
        return f"ws://{self.host}{RECOGNITION_PATH}"

    @property
    def synthesis_endpoint(self) -> str:
        return f"ws://{self.host}{SYNTHESIS_PATH}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)

    async def stop(self) -> None:
        """Stops listening and drops the connections still open."""
        assert self._server is not None
        self._server.close()
        for writer in self._connections.values():
            writer.transport.abort()
        await asyncio.gather(*self._connections)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections[task] = writer
        try:
            request = (await reader.readuntil(b"\r\n\r\n")).decode()
            self.requests.append(request.split(" ")[1])
            self.headers.append(_headers(request))
            if self.refuse_with:
                await _http_reply(reader, writer, f"{self.refuse_with} Refused", b"")
                return
            if "sec-websocket-key" not in _headers(request):
                await _http_reply(reader, writer, "200 OK", json.dumps(self.voices).encode())
                return
            key = _headers(request)["sec-websocket-key"]
            accept = base64.b64encode(hashlib.sha1((key + _WS_GUID).encode()).digest())
            writer.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n")
            writer.write(b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n")
            # The SDK (1.53) translates through the universal v2 endpoint, whose answers are
            # translation.phrase messages where recognition has speech.phrase.
            kind = "translation" if "/universal/" in request.split(" ")[1] else "speech"
            while (message := await _read_frame(reader)) is not None:
                await self._receive(*message, writer, f"{kind}.phrase")
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the SDK hung up
        finally:
            writer.close()

    async def _receive(
        self, opcode: int, payload: bytes, writer: asyncio.StreamWriter, phrase_path: str
    ) -> None:
        if opcode == 0x1:  # text: headers, a blank line, a body
            head, _, body = payload.decode().partition("\r\n\r\n")
            headers = _headers(head)
            path = headers.get("path")
            if path == "speech.context":
                self.contexts.append(json.loads(body))
            elif path == "synthesis.context":
                self.synthesis_contexts.append(json.loads(body))
            elif path == "ssml":
                self.ssml.append(body)
                if self.speech is not None:
                    await self._synthesize(headers["x-requestid"], writer)
        elif opcode == 0x2:  # binary: 2-byte header length, headers, audio
            size = int.from_bytes(payload[:2], "big")
            chunk = payload[2 + size :]
            self.audio += chunk
            if not chunk and self.phrases is not None:  # an empty audio message ends the turn
                request_id = _headers(payload[2 : 2 + size].decode())["x-requestid"]
                messages = [
                    ("turn.start", {"context": {"serviceTag": "fake"}}),
                    ("speech.startDetected", {"Offset": 0}),
                    *((phrase_path, phrase) for phrase in self.phrases),
                    ("speech.endDetected", {"Offset": 10000000}),
                    ("turn.end", {}),
                ]
                for path, body in messages:
                    writer.write(_text_frame(_message(request_id, path, json.dumps(body))))
                await writer.drain()

    async def _synthesize(self, request_id: str, writer: asyncio.StreamWriter) -> None:
        assert self.speech is not None
        start = {"webrtcConnectionString": "", "context": {"serviceTag": "fake"}}
        writer.write(_text_frame(_message(request_id, "turn.start", json.dumps(start))))
        for offset in range(0, len(self.speech), self.chunk_size):
            head = f"X-RequestId:{request_id}\r\nPath:audio\r\nContent-Type:audio/mpeg\r\n"
            data = head.encode()
            chunk = self.speech[offset : offset + self.chunk_size]
            writer.write(_frame(0x2, len(data).to_bytes(2, "big") + data + chunk))
            await writer.drain()
        writer.write(_text_frame(_message(request_id, "turn.end", "{}")))
        await writer.drain()


def _message(request_id: str, path: str, body: str) -> str:
    head = f"X-RequestId:{request_id}\r\nPath:{path}\r\n"
    return head + "Content-Type:application/json; charset=utf-8\r\n\r\n" + body


async def _http_reply(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, status: str, body: bytes
) -> None:
    writer.write(f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n".encode())
    writer.write(f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
    await writer.drain()
    # The SDK reads the answer after it has sent everything: closing at once loses it.
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(reader.read(), 2)


def _headers(block: str) -> dict[str, str]:
    lines = (line.split(":", 1) for line in block.split("\r\n") if ":" in line)
    return {name.strip().lower(): value.strip() for name, value in lines}


async def _read_frame(reader: asyncio.StreamReader) -> tuple[int, bytes] | None:
    """One client frame (always masked, never fragmented by the SDK); None on a close frame."""
    first, second = await reader.readexactly(2)
    size = second & 0x7F
    if size >= 126:
        size = int.from_bytes(await reader.readexactly(2 if size == 126 else 8), "big")
    mask = await reader.readexactly(4)
    masked = await reader.readexactly(size)
    payload = bytes(byte ^ mask[i % 4] for i, byte in enumerate(masked))
    opcode = first & 0x0F
    return None if opcode == 0x8 else (opcode, payload)


def _text_frame(text: str) -> bytes:
    return _frame(0x1, text.encode())


def _frame(opcode: int, data: bytes) -> bytes:
    first = 0x80 | opcode
    if len(data) < 126:
        return bytes([first, len(data)]) + data
    if len(data) < 1 << 16:
        return bytes([first, 126]) + len(data).to_bytes(2, "big") + data
    return bytes([first, 127]) + len(data).to_bytes(8, "big") + data


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
