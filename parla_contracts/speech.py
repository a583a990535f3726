"""Speech the contracts score or transcribe: eSpeak NG reading a text, decoded to 16 kHz mono
PCM as an upload is."""

import asyncio
from pathlib import Path

from adapters.speech.codec import decode_to_pcm
from adapters.speech.espeak import EspeakSynthesizer
from ports.scoring import PcmAudio

RECORDINGS = Path(__file__).resolve().parent / "recordings"

URDU = RECORDINGS / "urdu-ur-1x.mp3"
"""eSpeak NG voice "ur" reading "میرا نام علی ہے۔ میں پاکستان سے ہوں۔ مجھے چائے پسند ہے۔"
("My name is Ali. I am from Pakistan. I like tea.")."""


async def spoken(text: str, voice: str = "en-us", speed: float = 1.0) -> PcmAudio:
    speech = await EspeakSynthesizer().synthesize(text, voice=voice, speed=speed)
    return await asyncio.to_thread(decode_to_pcm, speech.audio)


def silence(seconds: float) -> PcmAudio:
    return PcmAudio(bytes(2 * int(16000 * seconds)), 16000)
