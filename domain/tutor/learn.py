"""000's learning conversation (/ws/learn): the learner says something in Urdu, hears and
sees it in English, practises it word by word, and repeats it until the pronunciation
scorer accepts it."""

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from domain.errors import InvalidInput
from domain.pronunciation.scoring import ScoredRecording
from domain.recordings import decode_recording
from ports.scoring import AudioDecoder, ScoringResult, SpeechScorer, WordError
from ports.speech import RecognitionTask, SpeechRecognizer, SpeechSynthesizer, SynthesizedSpeech

LEARNER_LANGUAGE = "ur"
ENGLISH = "en"
SCORING_LANGUAGE = "en-US"
PASS_ACCURACY = 70.0
PASS_COMPLETENESS = 80.0
PASS_FLAGGED_SHARE = 0.2
"""A repeat passes at this accuracy and completeness with at most this share of its words
flagged. The offline scorer flags about one word in six of correct speech (README,
"Pronunciation scoring quality"), so demanding none would fail good repeats."""
_WORD = re.compile(r"[A-Za-z']+")


class LearnStep(StrEnum):
    AWAITING_URDU = "awaiting_urdu"
    AWAITING_YOU_SAID_COMPLETE = "awaiting_you_said_complete"
    AWAITING_WORD_BY_WORD_COMPLETE = "awaiting_word_by_word_complete"
    AWAITING_REPEAT = "awaiting_repeat"


@dataclass(frozen=True)
class Reply:
    """One message to the learner: its type, what it says (and speaks), and its data."""

    type: str
    text: str
    speech: SynthesizedSpeech | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LearnPorts:
    decoder: AudioDecoder
    recognizer: SpeechRecognizer
    synthesizer: SpeechSynthesizer
    scorer: SpeechScorer
    keep: Callable[[ScoredRecording], Awaitable[object]] | None = None
    """Keeps each scored repeat in the learner's history."""


def english_words(sentence: str) -> list[str]:
    return _WORD.findall(sentence)


def flagged(result: ScoringResult) -> list[str]:
    return [w.word for w in result.word_scores if w.error_type != WordError.NONE]


def passed(result: ScoringResult) -> bool:
    return (
        result.accuracy_score >= PASS_ACCURACY
        and result.completeness_score >= PASS_COMPLETENESS
        and len(flagged(result)) <= PASS_FLAGGED_SHARE * max(1, len(result.word_scores))
    )


def score_data(result: ScoringResult) -> dict[str, Any]:
    return {
        "pronunciation_score": result.pronunciation_score,
        "accuracy_score": result.accuracy_score,
        "fluency_score": result.fluency_score,
        "completeness_score": result.completeness_score,
        "words": [
            {"word": w.word, "score": w.score, "error_type": w.error_type.value}
            for w in result.word_scores
        ],
    }


class LearnConversation:
    """The state of one learner's /ws/learn conversation and its transitions. Each event
    returns the replies to send, in order; an event that does not fit the current step is
    InvalidInput and changes nothing."""

    def __init__(self, ports: LearnPorts, voice: str | None = None, speed: float = 0.9) -> None:
        self._ports = ports
        self._voice = voice
        self._speed = speed
        self.step = LearnStep.AWAITING_URDU
        self.sentence: str | None = None
        self.attempts = 0

    async def _say(self, type: str, text: str, **data: Any) -> Reply:
        speech = await self._ports.synthesizer.synthesize(
            text, voice=self._voice, speed=self._speed
        )
        return Reply(type, text, speech, data)

    def _expect(self, step: LearnStep, event: str) -> None:
        if self.step != step:
            raise InvalidInput(
                f"{event!r} does not fit now; the conversation is {self.step.value}",
                {"step": self.step.value},
            )

    async def heard(self, recording: bytes) -> list[Reply]:
        """A recording: Urdu to translate, or an attempt at the English sentence."""
        if self.step == LearnStep.AWAITING_REPEAT:
            return await self._attempt(recording)
        self._expect(LearnStep.AWAITING_URDU, "audio")
        audio = await decode_recording(recording, self._ports.decoder)
        recognizer = self._ports.recognizer
        heard = await recognizer.transcribe(audio)
        if heard.language == ENGLISH:
            text = (
                "Please speak in Urdu. Say what you want to learn, and I will teach it in English."
            )
            return [await self._say("speak_urdu", text, transcription=heard.text)]
        # The learner speaks Urdu: small models often mistake its language, so say it.
        urdu = await recognizer.transcribe(audio, language=LEARNER_LANGUAGE)
        english = await recognizer.transcribe(
            audio, language=LEARNER_LANGUAGE, task=RecognitionTask.TRANSLATE
        )
        if not english_words(english.text):
            raise InvalidInput("No English translation came out of that recording; try again")
        self.sentence, self.attempts = english.text.strip(), 0
        self.step = LearnStep.AWAITING_YOU_SAID_COMPLETE
        reply = await self._say(
            "translation",
            f"You said: {self.sentence}",
            urdu_text=urdu.text,
            english_text=self.sentence,
        )
        return [reply]

    async def you_said_complete(self) -> list[Reply]:
        self._expect(LearnStep.AWAITING_YOU_SAID_COMPLETE, "you_said_complete")
        return [await self._word_by_word()]

    async def _word_by_word(self) -> Reply:
        assert self.sentence is not None
        words = english_words(self.sentence)
        spoken = [
            {
                "word": w,
                "audio": await self._ports.synthesizer.synthesize(w, voice=self._voice, speed=0.8),
            }
            for w in words
        ]
        self.step = LearnStep.AWAITING_WORD_BY_WORD_COMPLETE
        return Reply("word_by_word", " ".join(words), None, {"words": spoken})

    async def word_by_word_complete(self) -> list[Reply]:
        self._expect(LearnStep.AWAITING_WORD_BY_WORD_COMPLETE, "word_by_word_complete")
        assert self.sentence is not None
        self.step = LearnStep.AWAITING_REPEAT
        return [await self._say("full_sentence", self.sentence)]

    async def _attempt(self, recording: bytes) -> list[Reply]:
        assert self.sentence is not None
        audio = await decode_recording(recording, self._ports.decoder)
        result = await self._ports.scorer.score(audio, self.sentence, SCORING_LANGUAGE)
        if self._ports.keep is not None:
            scored = ScoredRecording(
                self.sentence, SCORING_LANGUAGE, audio.duration_seconds, result
            )
            await self._ports.keep(scored)
        self.attempts += 1
        if passed(result):
            self.step, sentence = LearnStep.AWAITING_URDU, self.sentence
            text = "Well done! You said it correctly. Say something new in Urdu."
            return [
                await self._say(
                    "success",
                    text,
                    english_text=sentence,
                    attempts=self.attempts,
                    score=score_data(result),
                )
            ]
        missed = list(dict.fromkeys(flagged(result)))
        text = "Let's try again."
        if missed:
            text += " Listen carefully to: " + ", ".join(missed) + "."
        correction = await self._say(
            "correction",
            text,
            attempts=self.attempts,
            words_to_practice=missed,
            score=score_data(result),
        )
        return [correction, await self._word_by_word()]
