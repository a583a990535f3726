"""Parla's port contracts as pytest test classes: Parla holds its own adapters to them, and an
adapter made outside Parla (a plug-in, see deployments.plug_ins) runs the same tests. Subclass
a contract and give it a fixture, named after the port, that returns the adapter:

    import pytest
    from parla_contracts.speech_scorer import SpeechScorerContract

    class TestMyScorer(SpeechScorerContract):
        @pytest.fixture(scope="class")
        def scorer(self):
            return MyScorer()

The contracts: SpeechScorerContract (fixture `scorer`), SpeechRecognizerContract
(`recognizer`), SpeechSynthesizerContract (`synthesizer`), LanguageModelContract (`model`).
Their tests are `async def` marked for pytest-asyncio (in Parla's test extra); the fixture
itself is a plain function. The speech they use is eSpeak NG's, which Parla installs."""

import pytest

# Plain asserts in the contracts report their values as a test module's do.
pytest.register_assert_rewrite(
    *(
        f"parla_contracts.{name}"
        for name in ("speech_scorer", "speech_recognizer", "speech_synthesizer", "language_model")
    )
)
