"""Speech synthesis with eSpeak NG: the shared library and data of the espeakng-loader wheel,
called through ctypes (API in espeak-ng's speak_lib.h).

Voice ids are an English accent from the shipped data ("en-us", "en-gb", "en-gb-scotland",
"en-029"...) optionally followed by an eSpeak variant: "en-us+f3", "en-gb+m3", "en-us+klatt"."""

import asyncio
import ctypes
import functools
import io
import re
import threading
import wave
from collections.abc import AsyncIterator
from dataclasses import dataclass

import espeakng_loader

from adapters.speech.codec import encode_mp3
from domain.errors import InvalidInput, ServiceUnavailable
from ports.speech import SynthesizedSpeech, Voice

DEFAULT_VOICE = "en-us"
MIN_SPEED, MAX_SPEED = 0.5, 2.0

# speak_lib.h constants.
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000  # return an error instead of exit() when the data is missing
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_PARAMETER_RATE = 1
_EE_OK = 0
_NORMAL_WPM = 175  # espeakRATE_NORMAL; MIN_SPEED..MAX_SPEED stays inside its 80..450 range

_GENDERS = {1: "male", 2: "female"}
_FEMALE_VARIANT = "f3"  # the accents are male by default; voices() offers each one as female too
_SHAVIAN = "en-shaw"  # reads text in the Shavian alphabet, not Latin-script English


class _EspeakVoice(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        # Pairs of (priority byte, NUL-terminated tag), ended by a zero byte.
        ("languages", ctypes.c_void_p),
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    ]


_SynthCallback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


@dataclass(frozen=True)
class _Accent:
    voice: Voice
    identifier: str  # the voice file, e.g. "gmw/en-US": what espeak_SetVoiceByName accepts


class _Engine:
    """The process's eSpeak NG instance. The library is global state and not thread-safe:
    create it once and use it only while holding _LOCK."""

    def __init__(self) -> None:
        try:
            lib = ctypes.CDLL(espeakng_loader.get_library_path())
        except OSError as exc:
            raise ServiceUnavailable(f"eSpeak NG library cannot be loaded: {exc}") from exc
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_SetSynthCallback.argtypes = [_SynthCallback]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        uint, pointer = ctypes.c_uint, ctypes.c_void_p
        # text, size, position, position_type, end_position, flags, unique_identifier, user_data
        lib.espeak_Synth.argtypes = [ctypes.c_char_p, ctypes.c_size_t, uint, ctypes.c_int]
        lib.espeak_Synth.argtypes += [uint, uint, pointer, pointer]
        lib.espeak_ListVoices.argtypes = [ctypes.POINTER(_EspeakVoice)]
        lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_EspeakVoice))

        data_path = espeakng_loader.get_data_path().encode()
        self.sample_rate: int = lib.espeak_Initialize(
            _AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path, _INITIALIZE_DONT_EXIT
        )
        if self.sample_rate <= 0:
            raise ServiceUnavailable("eSpeak NG cannot be initialized", {"data": str(data_path)})
        self._lib = lib
        self._pcm = bytearray()
        # Kept on self: the library calls it for as long as the process lives.
        self._callback = _SynthCallback(self._collect)
        lib.espeak_SetSynthCallback(self._callback)
        self.accents = self._english_accents()
        # Variant files ("!v/f3", "!v/Mr serious") by lower-case name: ids are case-insensitive.
        self.variants = {name.lower(): name for name in self._variant_names()}

    def speak(self, voice: str, text: str, words_per_minute: int) -> bytes:
        """16-bit mono PCM at self.sample_rate for `text`."""
        accent_id, plus, variant = voice.lower().partition("+")
        accent = self.accents.get(accent_id)
        if accent is None or (plus and variant not in self.variants):
            raise InvalidInput(f"Unknown voice: {voice!r}.", {"voice": voice})
        name = accent.identifier + (f"+{self.variants[variant]}" if variant else "")
        if self._lib.espeak_SetVoiceByName(name.encode()) != _EE_OK:
            raise InvalidInput(f"Unknown voice: {voice!r}.", {"voice": voice})
        # After the voice: loading a voice may reset the rate.
        self._lib.espeak_SetParameter(_PARAMETER_RATE, words_per_minute, 0)
        encoded = text.encode()
        self._pcm.clear()
        status = self._lib.espeak_Synth(
            encoded, len(encoded) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None
        )
        self._lib.espeak_Synchronize()
        if status != _EE_OK:
            raise ServiceUnavailable(f"eSpeak NG synthesis failed (error {status}).")
        return bytes(self._pcm)

    def _collect(
        self, wav: "ctypes._Pointer[ctypes.c_short]", count: int, _events: int | None
    ) -> int:
        if wav and count > 0:
            self._pcm += ctypes.string_at(wav, count * ctypes.sizeof(ctypes.c_short))
        return 0  # continue synthesis

    def _english_accents(self) -> dict[str, _Accent]:
        accents = {}
        for v in self._list(None):
            language = _languages(v.languages)[0]
            if not language.startswith("en") or language == _SHAVIAN:
                continue
            name, identifier = v.name.decode(), v.identifier.decode()
            accents[language] = _Accent(
                Voice(language, name, language, _GENDERS.get(v.gender)), identifier
            )
        return accents

    def _variant_names(self) -> list[str]:
        spec = _EspeakVoice(languages=ctypes.cast(ctypes.c_char_p(b"variant"), ctypes.c_void_p))
        return [v.identifier.decode().split("/")[-1] for v in self._list(ctypes.byref(spec))]

    def _list(self, spec: object) -> list[_EspeakVoice]:
        voices = self._lib.espeak_ListVoices(spec)
        found = []
        while voices[len(found)]:
            found.append(voices[len(found)].contents)
        return found


def _languages(pointer: int) -> list[str]:
    tags = []
    while ctypes.c_ubyte.from_address(pointer).value:  # priority byte; 0 ends the list
        tag = ctypes.string_at(pointer + 1)
        tags.append(tag.decode())
        pointer += len(tag) + 2
    return tags


_LOCK = threading.Lock()


@functools.cache
def _engine() -> _Engine:
    """Created lazily on first use; call only while holding _LOCK."""
    return _Engine()


def _wav(pcm: bytes, sample_rate: int) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(pcm)
    return buffer.getvalue()


# A sentence ends at . ! ? or … followed by white space, or at a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text.strip()) if s.strip()]


def _check(text: str, speed: float) -> None:
    if not text.strip():
        raise InvalidInput("Text to speak is empty.")
    if not MIN_SPEED <= speed <= MAX_SPEED:
        raise InvalidInput(f"Speed must be between {MIN_SPEED} and {MAX_SPEED}.", {"speed": speed})


class EspeakSynthesizer:
    """ports.speech.SpeechSynthesizer with eSpeak NG: WAV output, MP3 when streamed, English
    voices only."""

    provider = "espeak"

    async def synthesize(
        self, text: str, *, voice: str | None = None, speed: float = 1.0
    ) -> SynthesizedSpeech:
        _check(text, speed)
        speech = await asyncio.to_thread(self._speech, text, voice or DEFAULT_VOICE, speed)
        if speech is None:
            raise InvalidInput("Text has nothing to speak.")
        return speech

    async def stream(
        self, text: str, *, voice: str | None = None, speed: float = 1.0
    ) -> AsyncIterator[bytes]:
        """One MP3 chunk per sentence, each yielded as soon as it is encoded: the first
        arrives after the first sentence instead of the whole reply."""
        _check(text, speed)
        spoken = False
        for sentence in _sentences(text):
            mp3 = await asyncio.to_thread(self._mp3, sentence, voice or DEFAULT_VOICE, speed)
            if mp3 is not None:  # a sentence of punctuation alone has nothing to speak
                spoken = True
                yield mp3
        if not spoken:
            raise InvalidInput("Text has nothing to speak.")

    async def voices(self) -> list[Voice]:
        return await asyncio.to_thread(self._voices)

    @classmethod
    def _mp3(cls, text: str, voice: str, speed: float) -> bytes | None:
        speech = cls._speech(text, voice, speed)
        return None if speech is None else encode_mp3(speech.audio)

    @staticmethod
    def _speech(text: str, voice: str, speed: float) -> SynthesizedSpeech | None:
        """WAV of `text`; None when eSpeak produces no audio for it."""
        with _LOCK:
            engine = _engine()
            pcm = engine.speak(voice, text, round(_NORMAL_WPM * speed))
        if not pcm:
            return None
        rate = engine.sample_rate
        return SynthesizedSpeech(audio=_wav(pcm, rate), media_type="audio/wav", sample_rate=rate)

    @staticmethod
    def _voices() -> list[Voice]:
        with _LOCK:
            accents = _engine().accents.values()
        voices = []
        for accent in accents:
            male = accent.voice
            female = Voice(
                f"{male.id}+{_FEMALE_VARIANT}", f"{male.name}, female", male.language, "female"
            )
            voices += [male, female]
        return voices
