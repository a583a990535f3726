"""What the second recognizer of `pocketsphinx-phones` hears of whole words, on a committed
recording of "The weather is very nice today." (eSpeak NG, en-us), and what the scorer makes
of a word the alignment skipped though it was said."""

import asyncio
from pathlib import Path

import pytest

from adapters.speech.codec import decode_to_pcm
from adapters.speech.espeak import EspeakSynthesizer
from adapters.speech.espeak_phonemes import espeak_pronunciation
from adapters.speech.learner_substitutes import PhoneJudge, SaidPhone
from adapters.speech.pocketsphinx_scorer import PocketsphinxScorer
from adapters.speech.recording import usable_speech
from ports.scoring import ScoringResult, WordError

RECORDING = Path(__file__).parents[1] / "fixtures/speech/sentence00-en-us-1x.mp3"


def said(text: str) -> list[list[SaidPhone]]:
    return [[SaidPhone(p, True) for p in espeak_pronunciation(w)] for w in text.split()]


@pytest.fixture(scope="module")
def pcm() -> bytes:
    return usable_speech(decode_to_pcm(RECORDING.read_bytes()))


def test_every_word_said_makes_the_audio_likelier(pcm) -> None:
    heard = PhoneJudge().hear(pcm, said("the weather is very nice today"))
    assert all(nats is not None and nats < 0 for nats in heard.left_out_nats)


def test_a_word_not_said_makes_it_least_likely(pcm) -> None:
    heard = PhoneJudge().hear(pcm, said("the weather is not very nice today"))
    # Its neighbours may gain too when left out (then "not" takes their frames), less so.
    assert heard.left_out_nats[3] > 0
    assert max(heard.left_out_nats) == heard.left_out_nats[3]


def test_a_skipped_word_is_weighed_in_its_place(pcm) -> None:
    judge = PhoneJudge()
    around = [*said("the weather is"), [], *said("nice today")]
    very = judge.hear(pcm, around, {3: espeak_pronunciation("very")})
    assert very.left_out_nats[3] < 0  # said: likelier with it
    cold = judge.hear(pcm, around, {3: espeak_pronunciation("cold")})
    assert cold.left_out_nats[3] > 0


def error_of(result: ScoringResult, word: str) -> WordError:
    return next(w.error_type for w in result.word_scores if w.word == word)


@pytest.mark.parametrize(
    "text, voice, speed, word",
    [
        ("My brother plays football every Saturday.", "en-029", 1.25, "brother"),
        ("The museum opens at nine and closes at five.", "en-029", 1.0, "museum"),
        ("They have been waiting for the bus since eight.", "en-gb-scotland", 1.0, "waiting"),
    ],
)
def test_a_word_the_alignment_skips_though_it_was_said_is_kept(text, voice, speed, word):
    """PocketSphinx's alignment skips these words in these readings (the default scorer
    reports them omitted); the second recognizer hears them, so they are aligned again."""
    speech = asyncio.run(EspeakSynthesizer().synthesize(text, voice=voice, speed=speed))
    audio = decode_to_pcm(speech.audio)
    default = PocketsphinxScorer().score_blocking(audio, text, "en-US")
    assert error_of(default, word) == WordError.OMISSION
    phones = PocketsphinxScorer(learner_substitutes=True).score_blocking(audio, text, "en-US")
    assert error_of(phones, word) != WordError.OMISSION
    assert phones.completeness_score == 100.0
