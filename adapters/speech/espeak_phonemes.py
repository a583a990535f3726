"""Pronunciations from eSpeak NG's own phonemizer (espeak_TextToPhonemes, in the library that
synthesis loads), as ARPAbet phones: offline, no model, and it reads numbers and
abbreviations too. The offline scorer uses it for words missing from the CMU dictionary and
for British readings; the L2 error set checks its sentences with it."""

import ctypes
import functools

import espeakng_loader

from adapters.speech import espeak
from adapters.speech.phones import VOWELS
from domain.errors import InvalidInput

_PHONEMES_IPA = 0x02
_PHONEME_SEPARATOR = ord("_") << 8  # bits 8-23: the character between phoneme names
_CHARS_UTF8 = 1
US_VOICE = b"gmw/en-US"
BRITISH_VOICE = b"gmw/en"
# eSpeak's US English IPA (stress and length marks removed) to ARPAbet. Flaps and glottal
# stops are the /t/ the CMU dictionary writes; syllabic consonants take a schwa.
# fmt: off
_IPA_TO_ARPABET = {
    "a": ["AE"], "aɪ": ["AY"], "aʊ": ["AW"], "æ": ["AE"], "ɐ": ["AH"], "ɑ": ["AA"],
    "ɒ": ["AA"], "ʌ": ["AH"], "ə": ["AH"], "ɚ": ["ER"], "ɜ": ["ER"], "ɝ": ["ER"],
    "e": ["EH"], "eɪ": ["EY"], "ɛ": ["EH"], "ɪ": ["IH"], "ᵻ": ["IH"],
    "i": ["IY"], "o": ["OW"], "oʊ": ["OW"], "əʊ": ["OW"], "ɔ": ["AO"],
    "ɔɪ": ["OY"], "u": ["UW"], "ʊ": ["UH"], "b": ["B"], "d": ["D"],
    "dʒ": ["JH"], "ð": ["DH"], "f": ["F"], "ɡ": ["G"], "g": ["G"], "h": ["HH"], "j": ["Y"],
    "k": ["K"], "l": ["L"], "l̩": ["AH", "L"], "m": ["M"], "m̩": ["AH", "M"], "n": ["N"],
    "n̩": ["AH", "N"], "ŋ": ["NG"], "p": ["P"], "r": ["R"], "ɹ": ["R"], "s": ["S"],
    "ʃ": ["SH"], "t": ["T"], "ɾ": ["T"], "ʔ": ["T"], "tʃ": ["CH"], "θ": ["TH"], "v": ["V"],
    "w": ["W"], "x": ["K"], "z": ["Z"], "ʒ": ["ZH"],
    # r-coloured vowels, one eSpeak phoneme each ("park" p_ˈɑːɹ_k, "pair" p_ˈɛɹ)
    "ɑɹ": ["AA", "R"], "ɛɹ": ["EH", "R"], "ɔɹ": ["AO", "R"], "ɪɹ": ["IH", "R"],
    "ʊɹ": ["UH", "R"], "aɪɚ": ["AY", "ER"], "aɪɹ": ["AY", "R"], "aʊɚ": ["AW", "ER"],
    # British English centring diphthongs, without the r ("here" h_ˈiə, "tour" t_ˈʊə)
    "ɪə": ["IH", "AH"], "iə": ["IY", "AH"], "eə": ["EH", "AH"], "ʊə": ["UH", "AH"],
    "aɪə": ["AY", "AH"], "aʊə": ["AW", "AH"],
}
# fmt: on


@functools.cache
def _espeak_library() -> ctypes.CDLL:
    """The library synthesis loads: dlopen hands back the same instance, with its state."""
    lib = ctypes.CDLL(espeakng_loader.get_library_path())
    lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
    lib.espeak_TextToPhonemes.argtypes = [
        ctypes.POINTER(ctypes.c_void_p),
        ctypes.c_int,
        ctypes.c_int,
    ]
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    return lib


@functools.lru_cache(maxsize=4096)
def _symbols(word: str, voice: bytes) -> tuple[str, ...]:
    """eSpeak NG's IPA phonemes of `word`, with their stress marks ("ˈɪ")."""
    lib = _espeak_library()
    text = ctypes.create_string_buffer(word.encode())
    pointer = ctypes.c_void_p(ctypes.addressof(text))
    chunks = []
    with espeak._LOCK:  # the library is global state, shared with synthesis
        espeak._engine()  # initializes the library on first use
        lib.espeak_SetVoiceByName(voice)
        while pointer.value:
            chunk = lib.espeak_TextToPhonemes(
                ctypes.byref(pointer), _CHARS_UTF8, _PHONEMES_IPA | _PHONEME_SEPARATOR
            )
            chunks.append(chunk.decode() if chunk else "")
    return tuple(s for s in "_".join(chunks).replace(" ", "_").split("_") if s)


def _arpabet(symbol: str) -> list[str]:
    return _IPA_TO_ARPABET.get(symbol.strip("ˈˌ").replace("ː", ""), [])


def espeak_pronunciation(word: str, voice: bytes = US_VOICE) -> list[str]:
    """ARPAbet phones of `word` as eSpeak NG reads it in US English (or `voice`'s English)."""
    phones = [arpabet for symbol in _symbols(word, voice) for arpabet in _arpabet(symbol)]
    if not phones:
        raise InvalidInput(f"No pronunciation is known for {word!r}.", {"word": word})
    return phones


def stressed_vowel(word: str) -> tuple[int, int] | None:
    """Which vowel of `word` carries its primary stress in eSpeak NG's US reading, as (its
    index, the number of vowels); None for a word read without stress (function words such
    as "the", "is", "for") or without vowels."""
    vowels: list[bool] = []  # per ARPAbet vowel: stressed?
    for symbol in _symbols(word, US_VOICE):
        phones = _arpabet(symbol)
        vowels += [symbol.startswith("ˈ") and i == 0 for i, p in enumerate(phones) if p in VOWELS]
    return (vowels.index(True), len(vowels)) if True in vowels else None
