"""Contract of ports.scoring.SpeechScorer. Subclass SpeechScorerContract with a `scorer`
fixture that returns the adapter (see parla_contracts).

The readings are eSpeak NG's, in two voices and at two speeds, each scored against its own
text and against another sentence: whatever a scorer measures, the text that was read has to
score higher than one that was not. Set `language` on the subclass when the scorer's main
locale is not en-US."""

import asyncio
import math
from dataclasses import dataclass

import pytest

from adapters.speech.miscues import reference_words
from domain.errors import InvalidInput, Unprocessable
from parla_contracts.speech import silence, spoken
from ports.scoring import PcmAudio, ScoringResult, SpeechScorer, WordError

SENTENCES = [
    "The weather is very nice today.",
    "Could you tell me where the station is?",
    "My brother plays football every Saturday.",
]
VOICES = [("en-us", 1.0), ("en-gb+f3", 1.0), ("en-us", 1.25)]


@dataclass(frozen=True)
class Reading:
    text: str
    other_text: str
    """Another sentence, which the audio does not hold."""
    audio: PcmAudio


class SpeechScorerContract:
    language = "en-US"
    """A language tag the scorer supports; its language alone ("en") names its main locale."""
    unsupported_languages = ("fr-FR", "xx")

    @pytest.fixture(scope="class")
    def readings(self) -> list[Reading]:
        async def read() -> list[Reading]:
            return [
                Reading(text, SENTENCES[(i + 1) % len(SENTENCES)], await spoken(text, *voice))
                for i, (text, voice) in enumerate(zip(SENTENCES, VOICES, strict=True))
            ]

        return asyncio.run(read())

    @pytest.mark.asyncio
    async def test_a_reading_is_scored_word_by_word_in_range(
        self, scorer: SpeechScorer, readings: list[Reading]
    ) -> None:
        for reading in readings:
            result = await scorer.score(reading.audio, reading.text, self.language)
            assert_well_formed(result, reading.text)
            assert result.provider == scorer.provider

    @pytest.mark.asyncio
    async def test_the_text_read_scores_above_another_text(
        self, scorer: SpeechScorer, readings: list[Reading]
    ) -> None:
        for reading in readings:
            own = await scorer.score(reading.audio, reading.text, self.language)
            other = await scorer.score(reading.audio, reading.other_text, self.language)
            assert_well_formed(other, reading.other_text)
            assert own.pronunciation_score > other.pronunciation_score, reading.text
            assert own.accuracy_score > other.accuracy_score, reading.text

    @pytest.mark.asyncio
    async def test_the_language_alone_names_the_main_locale(
        self, scorer: SpeechScorer, readings: list[Reading]
    ) -> None:
        reading = readings[0]
        result = await scorer.score(reading.audio, reading.text, self.language.split("-")[0])

        assert_well_formed(result, reading.text)

    @pytest.mark.asyncio
    async def test_concurrent_scorings_each_get_their_own_result(
        self, scorer: SpeechScorer, readings: list[Reading]
    ) -> None:
        alone = [await scorer.score(r.audio, r.text, self.language) for r in readings]
        together = await asyncio.gather(
            *(scorer.score(r.audio, r.text, self.language) for r in readings)
        )

        for reading, one, other in zip(readings, alone, together, strict=True):
            assert_well_formed(other, reading.text)
            assert other.pronunciation_score == pytest.approx(one.pronunciation_score, abs=1)

    @pytest.mark.asyncio
    async def test_audio_without_speech_is_unprocessable(self, scorer: SpeechScorer) -> None:
        for audio in (silence(3), silence(0)):
            with pytest.raises(Unprocessable):
                await scorer.score(audio, SENTENCES[0], self.language)

    @pytest.mark.asyncio
    async def test_a_reference_without_words_is_invalid_input(
        self, scorer: SpeechScorer, readings: list[Reading]
    ) -> None:
        for text in ("", "  \n", "?!"):
            with pytest.raises(InvalidInput):
                await scorer.score(readings[0].audio, text, self.language)

    @pytest.mark.asyncio
    async def test_an_unsupported_language_is_invalid_input(
        self, scorer: SpeechScorer, readings: list[Reading]
    ) -> None:
        for language in self.unsupported_languages:
            with pytest.raises(InvalidInput):
                await scorer.score(readings[0].audio, readings[0].text, language)


def assert_well_formed(result: ScoringResult, reference_text: str) -> None:
    """Scores from 0 to 100, one word score per reference word in order (inserted words
    aside), each with a miscue type of Azure's vocabulary."""
    scores = [
        result.pronunciation_score,
        result.accuracy_score,
        result.fluency_score,
        result.completeness_score,
        *(w.score for w in result.word_scores),
        *(p.score for w in result.word_scores for p in w.phonemes),
    ]
    assert all(math.isfinite(s) and 0 <= s <= 100 for s in scores), scores
    said = [w.word for w in result.word_scores if w.error_type != WordError.INSERTION]
    assert said == reference_words(reference_text)
    assert all(isinstance(w.error_type, WordError) for w in result.word_scores)
    assert isinstance(result.recognized_text, str)
    assert result.provider
