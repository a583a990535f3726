"""Parla's offline scorer held to the SpeechScorer contract (parla_contracts.speech_scorer).
Azure's scorer answers from recorded results and a stand-in service (test_azure_scorer.py):
the contract's readings need a real one."""

import pytest

from adapters.speech.pocketsphinx_scorer import PocketsphinxScorer
from parla_contracts.speech_scorer import SpeechScorerContract
from ports.scoring import SpeechScorer


class TestPocketsphinx(SpeechScorerContract):
    @pytest.fixture(scope="class")
    def scorer(self) -> SpeechScorer:
        return PocketsphinxScorer()
