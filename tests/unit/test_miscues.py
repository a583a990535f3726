"""The insertion rule of the offline scorer, with and without a second recognizer's word."""

from dataclasses import replace

from adapters.speech.miscues import PauseEvidence, holds_extra_word
from adapters.speech.pocketsphinx_scorer import _GOP_ALONE, _WITH_SUBSTITUTES

SPEECH_BADLY_EXPLAINED = PauseEvidence(frames=20, speech_frames=15, gop=-2.0)


def test_pocketsphinx_alone_needs_speech_that_silence_explains_badly() -> None:
    miscues = _GOP_ALONE.miscues
    assert holds_extra_word(SPEECH_BADLY_EXPLAINED, miscues)
    assert not holds_extra_word(replace(SPEECH_BADLY_EXPLAINED, gop=0.0), miscues)
    assert not holds_extra_word(replace(SPEECH_BADLY_EXPLAINED, speech_frames=5), miscues)


def test_the_second_recognizer_decides_whether_the_pause_holds_a_phone_more() -> None:
    miscues = _WITH_SUBSTITUTES.miscues
    heard_as_neighbours = replace(SPEECH_BADLY_EXPLAINED, extra_phone_nats=-3.0)
    assert not holds_extra_word(heard_as_neighbours, miscues)
    # Silence explains it well enough for PocketSphinx, yet the recognizer hears a phone more.
    heard_as_extra = replace(SPEECH_BADLY_EXPLAINED, gop=0.0, extra_phone_nats=4.0)
    assert holds_extra_word(heard_as_extra, miscues)
    assert not holds_extra_word(replace(heard_as_extra, speech_frames=2), miscues)
