"""A spoken turn: what the learner said, the tutor's answer, and that answer as speech."""

from dataclasses import dataclass
from uuid import UUID

from domain.recordings import decode_recording
from domain.synthesis import check_voice
from domain.tutor.sessions import Turn, check_turn, take_turn
from ports.grammar import Dialect
from ports.scoring import AudioDecoder
from ports.speech import SpeechRecognizer, SpeechSynthesizer, SynthesizedSpeech, Transcript
from ports.tutoring import InputMode, TutorReplies
from ports.unit_of_work import TutoringUnitOfWork

TUTOR_LANGUAGE = "en"


@dataclass(frozen=True)
class VoiceTurn:
    transcript: Transcript
    turn: Turn
    speech: SynthesizedSpeech


@dataclass(frozen=True)
class VoicePipeline:
    """The speech ports a spoken turn passes through, in order."""

    decoder: AudioDecoder
    recognizer: SpeechRecognizer
    tutor: TutorReplies
    synthesizer: SpeechSynthesizer


async def take_voice_turn(
    user_id: UUID,
    session_id: UUID,
    recording: bytes,
    pipeline: VoicePipeline,
    uow: TutoringUnitOfWork,
    default_dialect: Dialect,
    *,
    voice: str | None = None,
    speed: float = 1.0,
) -> VoiceTurn:
    """Recognize, answer, speak, once the session is the learner's and open. The turn is
    stored once the tutor has answered, before synthesis: a synthesis failure (503) leaves
    the text of the turn in the session."""
    await check_voice(pipeline.synthesizer, voice, speed)
    await check_turn(user_id, session_id, uow)
    audio = await decode_recording(recording, pipeline.decoder)
    transcript = await pipeline.recognizer.transcribe(audio, language=TUTOR_LANGUAGE)
    turn = await take_turn(
        user_id, session_id, transcript.text, InputMode.AUDIO, pipeline.tutor, uow, default_dialect
    )
    speech = await pipeline.synthesizer.synthesize(turn.tutor.text, voice=voice, speed=speed)
    return VoiceTurn(transcript, turn, speech)
