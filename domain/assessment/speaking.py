"""The use case behind POST /assessment/speaking: a CEFR level and five skills, each from
measurements of the recording, its transcript and the grammar checker's issues."""

import re
from collections import Counter
from dataclasses import dataclass

from domain.assessment.bands import band, score, skill_position
from domain.assessment.text import (
    VocabularyProfile,
    names_in,
    profile_vocabulary,
    sentences_of,
    words_of,
)
from domain.corrections import corrections_of, describe
from domain.errors import Unprocessable
from domain.recordings import check_recording, decode_recording
from ports.cefr import CefrLevel
from ports.grammar import Correction, CorrectionKind, Dialect, GrammarChecker, GrammarIssue
from ports.scoring import AudioDecoder, ScoringResult, SpeechScorer, WordError
from ports.speech import SpeechRecognizer, Transcript
from ports.vocabulary import VocabularyLevels

MIN_WORDS = 5
# Below this many words every measurement is noisy; the result says so.
RELIABLE_WORDS = 50
# The transcript's spelling, capitals and punctuation are the recognizer's, not the learner's;
# a repeated word is a disfluency, counted under fluency.
NOT_GRAMMAR_IN_SPEECH = frozenset(
    {
        CorrectionKind.CAPITALIZATION,
        CorrectionKind.PUNCTUATION,
        CorrectionKind.SPELLING,
        CorrectionKind.REPETITION,
    }
)
DISFLUENCY_KINDS = frozenset({CorrectionKind.REPETITION})
# Discourse markers: the everyday ones earn 1 point, those learners meet from B1 on earn 2.
CONNECTIVES = dict.fromkeys(
    "but because so then first also when after before finally next or".split(), 1
) | dict.fromkeys(
    "however although though while whereas therefore moreover furthermore besides instead "
    "unless meanwhile otherwise eventually overall nevertheless consequently since".split()
    + ["even though", "for example", "for instance", "in addition", "as a result"]
    + ["on the other hand", "in my opinion", "in conclusion", "to sum up", "first of all"]
    + ["in contrast", "as well as"],
    2,
)
_CONNECTIVE = re.compile(
    r"\b(" + "|".join(sorted(map(re.escape, CONNECTIVES), key=len, reverse=True)) + r")\b"
)
# Words that open a subordinate clause: a rough count of the range of structures used
# ("that" also counts as a determiner, which overstates it a little).
SUBORDINATORS = frozenset(
    "because although though while when whenever if unless since that which who whom whose "
    "where whereas after before until".split()
)
# A word the scorer gives less than this is one to practise.
WEAK_WORD_SCORE = 60.0


@dataclass(frozen=True)
class SkillResult:
    score: float
    """0-100: the measurement's place on the A1..C2 scale (each band is a sixth)."""
    level: CefrLevel
    measurements: dict[str, float]
    feedback: list[str]


@dataclass(frozen=True)
class SpeakingAssessment:
    transcript: str
    duration_seconds: float
    word_count: int
    level: CefrLevel
    score: float
    skills: dict[str, SkillResult]
    """pronunciation (absent when the scorer could not score the recording), grammar,
    vocabulary, fluency and coherence."""
    corrections: list[Correction]
    reasons: list[str]


def assess_speaking(
    transcript: Transcript,
    issues: list[GrammarIssue],
    vocabulary: VocabularyProfile,
    pronunciation: ScoringResult | None,
    *,
    target_seconds: float | None = None,
) -> SpeakingAssessment:
    """Raises Unprocessable for fewer than MIN_WORDS words: too little to rate."""
    words = _enough_words(transcript.text)
    grammar_issues = [i for i in issues if i.kind not in NOT_GRAMMAR_IN_SPEECH]
    repeats = sum(1 for i in issues if i.kind in DISFLUENCY_KINDS)
    skills: dict[str, SkillResult] = {}
    if pronunciation is not None:
        skills["pronunciation"] = _pronunciation(pronunciation)
    skills["grammar"] = _grammar(corrections_of(grammar_issues), transcript.text, words)
    skills["vocabulary"] = _vocabulary(vocabulary)
    skills["fluency"] = _fluency(transcript, words, repeats, target_seconds)
    skills["coherence"] = _coherence(transcript.text, words)
    overall = sum(s.score for s in skills.values()) / len(skills)
    reasons = [f"{name}: {s.feedback[0]} -> {s.level}" for name, s in skills.items()]
    if pronunciation is None:
        reasons.append("pronunciation: the scorer could not score this recording")
    if len(words) < RELIABLE_WORDS:
        reasons.append(
            f"only {len(words)} words were heard; below {RELIABLE_WORDS} the level is a rough guess"
        )
    return SpeakingAssessment(
        transcript=transcript.text,
        duration_seconds=transcript.duration_seconds,
        word_count=len(words),
        level=band(overall / 100 * 6),
        score=round(overall, 1),
        skills=skills,
        corrections=corrections_of(issues),
        reasons=reasons,
    )


def _enough_words(text: str) -> list[str]:
    words = words_of(text)
    if len(words) < MIN_WORDS:
        raise Unprocessable(
            f"heard {len(words)} word(s); at least {MIN_WORDS} are needed for an assessment",
            {"words": len(words), "min_words": MIN_WORDS},
        )
    return words


def _skill(
    skill: str, values: dict[str, float], measurements: dict[str, float], feedback: list[str]
) -> SkillResult:
    pos = skill_position(skill, values)
    return SkillResult(score(pos), band(pos), measurements, feedback)


def _pronunciation(result: ScoringResult) -> SkillResult:
    weak = [
        w.word
        for w in result.word_scores
        if w.error_type is WordError.MISPRONUNCIATION
        or (w.error_type is WordError.NONE and w.score < WEAK_WORD_SCORE)
    ]
    feedback = [
        f"pronunciation {result.pronunciation_score:.0f}/100, accuracy "
        f"{result.accuracy_score:.0f}/100 ({result.provider}, scored against what was recognized)"
    ]
    feedback.append(
        f"Words to practise: {', '.join(dict.fromkeys(weak))}." if weak else "No word was flagged."
    )
    return _skill(
        "pronunciation",
        {"pronunciation_score": result.pronunciation_score},
        {
            "pronunciation_score": result.pronunciation_score,
            "accuracy_score": result.accuracy_score,
            "flagged_words": len(weak),
        },
        feedback,
    )


def _grammar(corrections: list[Correction], text: str, words: list[str]) -> SkillResult:
    word_count = len(words)
    per_100 = 100 * len(corrections) / word_count
    clauses = sum(1 for w in words if w.lower() in SUBORDINATORS) / len(sentences_of(text))
    by_kind = Counter(c.kind for c in corrections)
    feedback = [
        f"{per_100:.1f} errors per 100 words ({len(corrections)} in {word_count}), "
        f"{clauses:.1f} subordinate clauses per sentence"
    ]
    feedback.extend(describe(corrections) or ["No grammar errors found."])
    if clauses < 0.3:
        feedback.append("Join ideas into longer sentences with because, when, which or if.")
    measurements = {
        "errors_per_100_words": round(per_100, 2),
        "subordinate_clauses_per_sentence": round(clauses, 2),
    }
    measurements |= {
        f"{kind.lower()}_per_100_words": round(100 * n / word_count, 2)
        for kind, n in by_kind.items()
    }
    values = {"grammar_errors_per_100_words": per_100, "subordinate_clauses_per_sentence": clauses}
    return _skill("grammar", values, measurements, feedback)


def _vocabulary(profile: VocabularyProfile) -> SkillResult:
    share = profile.share_above_a2
    counts = ", ".join(f"{level}: {n}" for level, n in profile.level_counts.items() if n)
    feedback = [
        f"{100 * share:.0f}% of the words are above A2 ({counts}), lexical diversity (MTLD) "
        f"{profile.mtld:.0f}"
    ]
    if profile.advanced_words:
        feedback.append(f"Words above A2: {', '.join(profile.advanced_words[:8])}.")
    else:
        feedback.append("Every word was A1-A2: use more precise words where you can.")
    return _skill(
        "vocabulary",
        {"share_of_words_above_a2": share, "mtld": profile.mtld},
        {"share_above_a2": round(share, 3), "mtld": round(profile.mtld, 1)},
        feedback,
    )


def _fluency(
    transcript: Transcript, words: list[str], repeats: int, target_seconds: float | None
) -> SkillResult:
    minutes = max(transcript.duration_seconds, 1.0) / 60
    wpm = len(words) / minutes
    per_sentence = len(words) / len(sentences_of(transcript.text))
    feedback = [
        f"{wpm:.0f} words per minute, {per_sentence:.1f} words per sentence "
        f"over {transcript.duration_seconds:.1f} s"
    ]
    if repeats:
        feedback.append(f"{repeats} repeated word(s), e.g. a restart.")
    if target_seconds:
        feedback.append(
            f"You spoke for {transcript.duration_seconds:.0f} s "
            f"of the {target_seconds:.0f} s asked."
        )
    return _skill(
        "fluency",
        {"words_per_minute": wpm, "words_per_sentence": per_sentence},
        {"words_per_minute": round(wpm, 1), "words_per_sentence": round(per_sentence, 1)},
        feedback,
    )


def _coherence(text: str, words: list[str]) -> SkillResult:
    used = sorted(set(_CONNECTIVE.findall(text.lower())))
    points = sum(CONNECTIVES[c] for c in used)
    lowered = [w.lower() for w in words]
    trigrams = list(zip(lowered, lowered[1:], lowered[2:], strict=False))
    repeated = 1 - len(set(trigrams)) / len(trigrams) if trigrams else 0.0
    sentences = len(sentences_of(text))
    feedback = [
        f"{sentences} sentence(s), {len(used)} linking word(s)"
        + (f": {', '.join(used)}" if used else "")
    ]
    if not any(CONNECTIVES[c] == 2 for c in used):
        feedback.append("Link your ideas with words such as however, although or for example.")
    if repeated > 0.1:
        feedback.append(f"{100 * repeated:.0f}% of three-word phrases are repeats.")
    return _skill(
        "coherence",
        {"connective_points": points, "repeated_trigram_share": repeated},
        {
            "sentences": sentences,
            "connectives": len(used),
            "connective_points": points,
            "repeated_trigram_share": round(repeated, 3),
        },
        feedback,
    )


@dataclass(frozen=True)
class AssessSpeaking:
    decoder: AudioDecoder
    recognizer: SpeechRecognizer
    grammar: GrammarChecker
    vocabulary: VocabularyLevels
    scorer: SpeechScorer

    async def __call__(
        self, audio: bytes, dialect: Dialect, *, target_seconds: float | None = None
    ) -> SpeakingAssessment:
        """Decode, recognize, check the grammar, score pronunciation against what was
        recognized (the learner chose their own words), then assess."""
        check_recording(audio)
        pcm = await decode_recording(audio, self.decoder)
        transcript = await self.recognizer.transcribe(pcm, language="en")
        words = _enough_words(transcript.text)  # before paying for the checker and scorer
        issues = await self.grammar.check(transcript.text, dialect)
        names = names_in(transcript.text)
        levels = self.vocabulary.levels(w for w in words if w not in names)
        profile = profile_vocabulary(words, levels)
        try:
            pronunciation: ScoringResult | None = await self.scorer.score(
                pcm, transcript.text, "en-US"
            )
        except Unprocessable:
            pronunciation = None
        return assess_speaking(
            transcript, issues, profile, pronunciation, target_seconds=target_seconds
        )
