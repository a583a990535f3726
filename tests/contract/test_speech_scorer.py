"""Parla's offline scorer held to the SpeechScorer contract (parla_contracts.speech_scorer).
Azure's scorer answers from recorded results and a stand-in service (test_azure_scorer.py):
the contract's readings need a real one."""

import pytest

from adapters.speech.pocketsphinx_scorer import PocketsphinxScorer
from parla_contracts.speech_scorer import Reading, SpeechScorerContract
from ports.scoring import SpeechScorer


class TestPocketsphinx(SpeechScorerContract):
    @pytest.fixture(scope="class")
    def scorer(self) -> SpeechScorer:
        return PocketsphinxScorer()

    @pytest.mark.asyncio
    async def test_a_recording_scores_the_same_whatever_was_scored_before(
        self, scorer: SpeechScorer, readings: list[Reading]
    ) -> None:
        """One decoder set serves every call in turn; nothing of one recording may carry
        over into the next (its noise estimate once moved a score by 2.3 points)."""
        first, other = readings[0], readings[1]
        before = await scorer.score(first.audio, first.text, self.language)
        for _ in range(2):
            await scorer.score(other.audio, other.text, self.language)
        assert await scorer.score(first.audio, first.text, self.language) == before
