"""Assessment rules on hand-built grammar issues, transcripts and word levels."""

import pytest

from domain.assessment.bands import SCALES, SKILL_WEIGHTS, band, position
from domain.assessment.prompts import SpeakingPrompt, find_prompt, prompts_for
from domain.assessment.sentence import AssessSentence, assess_sentence
from domain.assessment.speaking import AssessSpeaking, assess_speaking
from domain.assessment.text import mtld, names_in, profile_vocabulary, sentences_of, words_of
from domain.corrections import corrected_text, corrections_of
from domain.errors import InvalidInput, NotFound, Unprocessable
from ports.cefr import CefrLevel
from ports.grammar import CorrectionKind, Dialect, GrammarIssue
from ports.scoring import PcmAudio, ScoringResult, WordError, WordScore
from ports.speech import Transcript

# Word levels as a word list would give them: everything A1 unless listed here.
ABOVE_A1 = {
    "although": CefrLevel.A2,
    "however": CefrLevel.A2,
    "remote": CefrLevel.B1,
    "considerable": CefrLevel.B2,
    "flexibility": CefrLevel.B2,
    "gradually": CefrLevel.B1,
    "erode": CefrLevel.C1,
    "boundaries": CefrLevel.B2,
    "professional": CefrLevel.B1,
    "employees": CefrLevel.B1,
    "significantly": CefrLevel.B2,
    "productive": CefrLevel.B2,
    "exhausting": CefrLevel.B1,
    "commutes": CefrLevel.B2,
    "innovation": CefrLevel.B2,
    "colleagues": CefrLevel.B1,
    "collaborate": CefrLevel.B2,
    "sustainable": CefrLevel.B2,
    "compromise": CefrLevel.B2,
    "spontaneous": CefrLevel.C1,
    "circumstances": CefrLevel.B2,
    "arrangement": CefrLevel.B1,
    "hybrid": CefrLevel.C1,
}

A1_TEXT = (
    "My name is Anna. I live in a small house with my mother and my father. I have a cat. "
    "The cat is black. I like my cat. I go to school every day. I like school. My friend is "
    "Tom. Tom has a dog. We play in the park. It is fun."
)
B2_TEXT = (
    "Although remote work offers considerable flexibility, it can gradually erode the "
    "boundaries between professional and personal life. However, many employees report that "
    "they are significantly more productive at home, because they avoid exhausting commutes. "
    "On the other hand, companies worry that innovation suffers when colleagues rarely "
    "collaborate face to face. In my opinion, a hybrid arrangement is the most sustainable "
    "compromise, since it preserves spontaneous interaction while respecting individual "
    "circumstances."
)


def profile(text: str):
    words = words_of(text)
    return profile_vocabulary(words, {w: ABOVE_A1.get(w.lower(), CefrLevel.A1) for w in words})


def transcript(text: str, words_per_minute: float) -> Transcript:
    seconds = len(words_of(text)) / words_per_minute * 60
    return Transcript(text=text, language="en", duration_seconds=seconds, provider="test")


def issue(
    text: str,
    original: str,
    suggestion: str | None,
    kind: CorrectionKind = CorrectionKind.AGREEMENT,
):
    start = text.index(original)
    return GrammarIssue(
        start=start,
        end=start + len(original),
        original=original,
        suggestions=[suggestion] if suggestion else [],
        message="The verb must agree with its subject.",
        kind=kind,
    )


# --- bands ---------------------------------------------------------------------------------


def test_every_scale_has_six_thresholds_in_order():
    for name, scale in SCALES.items():
        ordered = sorted(scale.starts, reverse=not scale.higher_is_better)
        assert list(scale.starts) == ordered, name


def test_position_rises_with_a_better_measurement_and_stays_on_the_scale():
    assert position("words_per_minute", 0) == 0
    assert band(position("words_per_minute", 60)) is CefrLevel.A2
    assert band(position("words_per_minute", 120)) is CefrLevel.B2
    assert position("words_per_minute", 1000) < 6
    assert band(position("grammar_errors_per_100_words", 30)) is CefrLevel.A1
    assert band(position("grammar_errors_per_100_words", 0)) is CefrLevel.C2


# --- text measures -------------------------------------------------------------------------


def test_words_keep_contractions_and_sentences_split_on_end_punctuation():
    assert words_of("I don't know, it's fine.") == ["I", "don't", "know", "it's", "fine"]
    assert len(sentences_of("One. Two! Three? four")) == 4
    assert sentences_of("no punctuation at all") == ["no punctuation at all"]


def test_mtld_is_higher_for_varied_text_than_for_repetitive_text():
    varied = words_of(B2_TEXT.lower())
    repetitive = ("i like my cat and i like my dog and " * 6).split()
    assert mtld(varied) > 2 * mtld(repetitive)


def test_vocabulary_profile_counts_levels_and_lists_the_hardest_words_first():
    p = profile(B2_TEXT)
    assert p.word_count == len(words_of(B2_TEXT))
    assert p.level_counts[CefrLevel.C1] == 3
    assert p.advanced_words[:3] == ("erode", "hybrid", "spontaneous")
    assert "although" not in p.advanced_words  # A2 is not above A2
    assert 0.2 < p.share_above_a2 < 0.4


# --- sentence ------------------------------------------------------------------------------

SENTENCE = "He go to school every day and she have two cat."


def test_corrections_apply_the_first_suggestion_of_each_issue():
    issues = [issue(SENTENCE, "have", "has"), issue(SENTENCE, "go", "goes")]
    corrections = corrections_of(issues)
    assert [c.original for c in corrections] == ["go", "have"]  # in text order
    assert corrected_text(SENTENCE, corrections) == (
        "He goes to school every day and she has two cat."
    )


def test_overlapping_issues_and_issues_without_suggestion_are_not_applied():
    text = "She have went home."
    issues = [
        issue(text, "have went", "went"),
        issue(text, "went", "gone"),  # inside the first one
        issue(text, "home", None, kind=CorrectionKind.STYLE),
    ]
    assert corrected_text(text, corrections_of(issues)) == "She went home."


def test_sentence_assessment_reports_errors_by_kind_with_the_fix():
    issues = [issue(SENTENCE, "go", "goes"), issue(SENTENCE, "have", "has")]
    a = assess_sentence(SENTENCE, issues, profile(SENTENCE))
    assert a.corrected_text == "He goes to school every day and she has two cat."
    assert a.feedback[0] == "2 agreement errors: 'go' -> 'goes'; 'have' -> 'has'"
    assert a.vocabulary_level is CefrLevel.A1
    assert a.level in (CefrLevel.A1, CefrLevel.A2)
    assert any("2 issue(s) in 11 words" in r for r in a.reasons)


def test_a_correct_sentence_with_rarer_words_gets_a_higher_level():
    simple = "I like my cat and my dog."
    rich = "Remote work offers considerable flexibility to professional employees."
    assert (
        assess_sentence(rich, [], profile(rich)).level
        > assess_sentence(simple, [], profile(simple)).level
    )
    assert assess_sentence(simple, [], profile(simple)).feedback[0] == "No grammar issues found."


# --- speaking ------------------------------------------------------------------------------


def speak(text: str, wpm: float = 110, issues=(), pronunciation=None, **kwargs):
    return assess_speaking(
        transcript(text, wpm), list(issues), profile(text), pronunciation, **kwargs
    )


def test_a_b2_answer_gets_higher_vocabulary_and_coherence_than_an_a1_answer():
    a1 = speak(A1_TEXT, wpm=70)
    b2 = speak(B2_TEXT, wpm=130)
    assert a1.skills["vocabulary"].level <= CefrLevel.A2
    assert b2.skills["vocabulary"].level >= CefrLevel.B2
    assert b2.skills["coherence"].score > a1.skills["coherence"].score + 30
    assert b2.level > a1.level
    assert a1.level <= CefrLevel.A2
    assert b2.level >= CefrLevel.B2


def test_three_agreement_errors_lower_grammar():
    text = "He go to work. She have a car. They was happy. We like the city and the food."
    clean = speak(text)
    wrong = speak(
        text,
        issues=[issue(text, "go", "goes"), issue(text, "have", "has"), issue(text, "was", "were")],
    )
    assert wrong.skills["grammar"].score < clean.skills["grammar"].score - 10
    assert wrong.skills["grammar"].measurements["agreement_per_100_words"] == pytest.approx(
        100 * 3 / 18, abs=0.01
    )
    assert "3 agreement errors" in wrong.skills["grammar"].feedback[1]
    assert [c.suggestion for c in wrong.corrections] == ["goes", "has", "were"]


def test_the_transcripts_spelling_and_capitals_are_not_grammar_errors():
    text = "i think the weather is nice today and i like it"
    lint = [issue(text, "i", "I", kind=CorrectionKind.CAPITALIZATION)]
    assert speak(text, issues=lint).skills["grammar"].measurements["errors_per_100_words"] == 0


def test_fluency_rises_with_speaking_rate():
    slow = speak(B2_TEXT, wpm=60).skills["fluency"]
    fast = speak(B2_TEXT, wpm=160).skills["fluency"]
    assert slow.measurements["words_per_minute"] == pytest.approx(60, abs=0.5)
    assert fast.measurements["words_per_minute"] == pytest.approx(160, abs=0.5)
    assert fast.score > slow.score + 20
    assert fast.level > slow.level


def test_connectives_and_repetition_shape_coherence():
    repetitive = "I like it. I like it. I like it. I like it. I like it."
    linked = "I like it because it is quiet. However, it is far, so I go by bus."
    low, high = speak(repetitive).skills["coherence"], speak(linked).skills["coherence"]
    assert low.measurements["repeated_trigram_share"] > 0.5
    assert high.measurements["connectives"] == 3
    assert high.score > low.score


def test_pronunciation_uses_the_scorers_scores_and_flags_weak_words():
    result = ScoringResult(
        recognized_text="i like my cat",
        pronunciation_score=72.0,
        accuracy_score=70.0,
        fluency_score=80.0,
        completeness_score=100.0,
        word_scores=[
            WordScore("i", 90.0),
            WordScore("like", 40.0),
            WordScore("my", 85.0, WordError.MISPRONUNCIATION),
            WordScore("cat", 95.0),
        ],
        provider="test",
    )
    skill = speak(A1_TEXT, pronunciation=result).skills["pronunciation"]
    assert skill.level is CefrLevel.B2  # 72 lies in 68..80
    assert skill.measurements["flagged_words"] == 2
    assert skill.feedback[1] == "Words to practise: like, my."


def test_all_five_skills_and_an_overall_level_with_reasons():
    result = ScoringResult("", 85.0, 85.0, 85.0, 100.0, [], "test")
    a = speak(B2_TEXT, pronunciation=result, target_seconds=30)
    assert set(a.skills) == {"pronunciation", "grammar", "vocabulary", "fluency", "coherence"}
    assert all(0 <= s.score <= 100 for s in a.skills.values())
    assert a.level is band(a.score / 100 * 6)
    assert len(a.reasons) == 5
    assert any("of the 30 s asked" in f for f in a.skills["fluency"].feedback)


def test_without_a_pronunciation_score_four_skills_and_a_reason():
    a = speak(A1_TEXT)
    assert "pronunciation" not in a.skills
    assert any("could not score" in r for r in a.reasons)


def test_too_little_speech_is_unprocessable():
    with pytest.raises(Unprocessable, match="at least 5"):
        speak("yes I think so")


def test_a_short_answer_is_flagged_as_a_rough_guess():
    assert any("rough guess" in r for r in speak("I like my cat and my dog.").reasons)


# --- prompts -------------------------------------------------------------------------------

PROMPTS = [
    SpeakingPrompt(f"{level.lower()}-{i}", level, "topic", "Talk.", 20)
    for level in (CefrLevel.A1, CefrLevel.B1)
    for i in range(3)
]


def test_prompts_filter_by_level_and_limit():
    assert [p.id for p in prompts_for(PROMPTS, CefrLevel.B1, 2)] == ["b1-0", "b1-1"]
    assert len(prompts_for(PROMPTS, None, 50)) == 6
    assert prompts_for(PROMPTS, CefrLevel.C2, 5) == []
    with pytest.raises(InvalidInput):
        prompts_for(PROMPTS, None, 0)
    assert find_prompt(PROMPTS, "a1-2").level is CefrLevel.A1
    with pytest.raises(NotFound):
        find_prompt(PROMPTS, "nope")


# --- use cases, over ports that answer from memory ------------------------------------------


class Levels:
    provider = "test"

    def __init__(self) -> None:
        self.asked: list[str] = []

    def levels(self, words):
        words = list(words)
        self.asked += words
        return {w: ABOVE_A1.get(w.lower(), CefrLevel.A1) for w in words}


class Checker:
    provider = "test"

    def __init__(self, issues=()) -> None:
        self.issues = list(issues)
        self.calls = 0
        self.dialects: list[Dialect] = []

    async def check(self, text: str, dialect: Dialect):
        self.calls += 1
        self.dialects.append(dialect)
        return self.issues


class Decoder:
    async def decode(self, data: bytes, max_seconds: float) -> PcmAudio:
        return PcmAudio(b"\0\0" * 16000 * 10, 16000)


class Recognizer:
    provider = "test"

    def __init__(self, text: str) -> None:
        self.text = text

    async def transcribe(self, audio: PcmAudio, **kwargs: object) -> Transcript:
        return Transcript(self.text, "en", audio.duration_seconds, "test")


class Scorer:
    provider = "test"

    def __init__(self, unusable: bool = False) -> None:
        self.unusable = unusable
        self.references: list[str] = []

    async def score(self, audio: PcmAudio, reference_text: str, language: str) -> ScoringResult:
        self.references.append(reference_text)
        if self.unusable:
            raise Unprocessable("no usable speech")
        return ScoringResult(reference_text, 80.0, 80.0, 80.0, 100.0, [], "test")


def test_names_are_capitalized_words_inside_a_sentence():
    assert names_in("My friend Tom lives in Paris. I like him. Tom is nice.") == {"Tom", "Paris"}


async def test_assess_sentence_checks_grammar_and_leaves_names_out_of_the_levels():
    levels, checker = Levels(), Checker([issue(SENTENCE, "go", "goes")])
    a = await AssessSentence(checker, levels)("  He go to school with Marta.  ", Dialect.AMERICAN)
    assert a.text == "He go to school with Marta." and checker.dialects == [Dialect.AMERICAN]
    assert "Marta" not in levels.asked
    assert a.vocabulary.known_words == a.vocabulary.word_count - 1
    for bad in ("", "   ", "x" * 1001, "?!"):
        with pytest.raises(InvalidInput):
            await AssessSentence(checker, levels)(bad, Dialect.BRITISH)


async def test_assess_speaking_scores_pronunciation_against_what_was_recognized():
    scorer = Scorer()
    use_case = AssessSpeaking(Decoder(), Recognizer(B2_TEXT), Checker(), Levels(), scorer)
    a = await use_case(b"audio", Dialect.BRITISH, target_seconds=30)
    assert scorer.references == [B2_TEXT]
    assert set(a.skills) == {"pronunciation", "grammar", "vocabulary", "fluency", "coherence"}
    assert a.duration_seconds == 10


async def test_assess_speaking_without_a_usable_score_keeps_four_skills():
    use_case = AssessSpeaking(Decoder(), Recognizer(A1_TEXT), Checker(), Levels(), Scorer(True))
    assert "pronunciation" not in (await use_case(b"audio", Dialect.BRITISH)).skills


async def test_assess_speaking_stops_before_the_checker_when_too_little_was_said():
    checker = Checker()
    use_case = AssessSpeaking(Decoder(), Recognizer("Hello there."), checker, Levels(), Scorer())
    with pytest.raises(Unprocessable):
        await use_case(b"audio", Dialect.BRITISH)
    assert checker.calls == 0
    with pytest.raises(InvalidInput):
        await use_case(b"", Dialect.BRITISH)


def test_skill_weights_add_up_to_one_and_name_known_scales():
    for skill, weights in SKILL_WEIGHTS.items():
        assert sum(weights.values()) == pytest.approx(1.0), skill
        assert set(weights) <= set(SCALES), skill
