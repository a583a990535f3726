"""What the second recognizer of `pocketsphinx-phones` hears of whole words, on a committed
recording of "The weather is very nice today." (eSpeak NG, en-us)."""

from pathlib import Path

import pytest

from adapters.speech.codec import decode_to_pcm
from adapters.speech.espeak_phonemes import espeak_pronunciation
from adapters.speech.learner_substitutes import PhoneJudge, SaidPhone
from adapters.speech.recording import usable_speech

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
