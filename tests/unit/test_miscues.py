"""The omission and insertion rules of the offline scorer, with and without a second
recognizer's word."""

from dataclasses import replace

from adapters.speech.miscues import (
    PauseEvidence,
    WordEvidence,
    classify,
    heard_word,
    holds_extra_word,
)
from adapters.speech.pocketsphinx_scorer import _GOP_ALONE, _WITH_SUBSTITUTES
from ports.scoring import WordError

SPEECH_BADLY_EXPLAINED = PauseEvidence(frames=20, speech_frames=15, gop=-2.0)
# A word squeezed into its shortest span and scored badly there.
SQUEEZED = WordEvidence(accuracy=10.0, frames=6, min_frames=6)


def test_a_squeezed_word_is_omitted_unless_the_second_recognizer_hears_it() -> None:
    assert classify(SQUEEZED, _GOP_ALONE.miscues) == WordError.OMISSION
    miscues = _WITH_SUBSTITUTES.miscues
    heard = replace(SQUEEZED, left_out_nats=-4.0)  # likelier with its phones
    assert classify(heard, miscues) == WordError.MISPRONUNCIATION
    assert classify(replace(SQUEEZED, left_out_nats=3.0), miscues) == WordError.OMISSION
    assert classify(SQUEEZED, miscues) == WordError.OMISSION  # the recognizer had no say
    # A word the alignment skipped is omitted whatever the recognizer heard around it.
    assert classify(WordEvidence(accuracy=None, left_out_nats=-4.0), miscues) == (
        WordError.OMISSION
    )


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
    # Heard a word away from the pause, the phone needs more speech in the pause.
    heard_nearby = replace(heard_as_neighbours, gop=0.0, extra_phone_nats_near=4.0)
    assert holds_extra_word(replace(heard_nearby, speech_frames=12), miscues)
    assert not holds_extra_word(replace(heard_nearby, speech_frames=10), miscues)
    at_the_pause = replace(heard_nearby, speech_frames=10, extra_phone_nats=4.0)
    assert holds_extra_word(at_the_pause, miscues)


def test_a_skipped_word_is_aligned_again_where_the_second_recognizer_hears_it() -> None:
    miscues = _WITH_SUBSTITUTES.miscues
    assert heard_word(-2.0, miscues)  # likelier with its phones
    assert not heard_word(5.0, miscues)
    assert not heard_word(None, miscues)
    assert not heard_word(-2.0, _GOP_ALONE.miscues)  # no recognizer asked
