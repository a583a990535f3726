"""How well the offline scorers (PocketSphinx, and PocketSphinx with learner substitutes checked)
tell a correctly read sentence from an altered one, on real synthesized speech: eSpeak NG
voices and speeds, decoded to 16 kHz like an upload.

Each clip is scored against (a) its own text, (b) the text with one word substituted, (c) the
text without one of its words, so the audio holds an extra word, (e) a different sentence;
and (d) a clip synthesized without one word is scored against the full text. The assertions
are conservative versions of the measured values (see the module's report in the log): a
regression fails them, run-to-run noise does not (only eSpeak NG's f3 voice varies between runs).

A few clips are also committed as MP3 recordings (tests/fixtures/speech), scored as uploads
are: they hold the scorer to the same audio whatever synthesizer a later install brings.
Rewrite them with `.venv/bin/python -m tests.quality.test_scoring_quality`.
"""

import asyncio
import logging
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from adapters.speech.codec import decode_to_pcm, encode_mp3
from adapters.speech.espeak import EspeakSynthesizer
from adapters.speech.miscues import reference_words
from ports.scoring import PcmAudio, ScoringResult, SpeechScorer, WordError
from tests.support.services import unavailable

LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sentence:
    text: str
    substitute: tuple[str, str]  # a word of the text and a word of similar length, other sounds
    drop: str  # a word of the text to leave out


SENTENCES = [
    Sentence("The weather is very nice today.", ("nice", "cold"), "very"),
    Sentence("Could you tell me where the station is?", ("station", "market"), "where"),
    Sentence("I would like a cup of coffee, please.", ("coffee", "butter"), "coffee"),
    Sentence("My brother plays football every Saturday.", ("brother", "sister"), "plays"),
    Sentence("She has lived in London for three years.", ("London", "Berlin"), "three"),
    Sentence("We usually have dinner at seven o'clock.", ("dinner", "lunch"), "usually"),
    Sentence("Can you help me carry these heavy boxes?", ("heavy", "little"), "heavy"),
    Sentence("The children are playing in the garden.", ("garden", "kitchen"), "playing"),
    Sentence("I forgot to bring my umbrella this morning.", ("umbrella", "jacket"), "bring"),
    Sentence("He doesn't want to go to the party.", ("party", "beach"), "want"),
    Sentence("Our teacher gave us a lot of homework.", ("teacher", "doctor"), "gave"),
    Sentence("If it rains tomorrow, we will stay at home.", ("home", "school"), "tomorrow"),
    Sentence("Reading books is a great way to learn new words.", ("books", "papers"), "great"),
    Sentence("The museum opens at nine and closes at five.", ("museum", "bakery"), "nine"),
    Sentence("Although he was tired, he finished the report.", ("report", "letter"), "tired"),
    Sentence("Please turn off the lights before you leave.", ("lights", "music"), "before"),
    Sentence("My favourite season is autumn for its colours.", ("autumn", "winter"), "season"),
    Sentence("They have been waiting for the bus since eight.", ("bus", "train"), "waiting"),
]
VOICES = ("en-us", "en-gb+f3", "en-029", "en-gb-scotland")
SPEEDS = (1.0, 1.25)


def variants(index: int, per_sentence: int) -> list[tuple[str, float]]:
    """`per_sentence` voice and speed pairs for sentence `index`, rotating so that the set as
    a whole uses every voice at every speed."""
    pairs = [(voice, speed) for speed in SPEEDS for voice in VOICES]
    return [pairs[(index * per_sentence + k) % len(pairs)] for k in range(per_sentence)]


def without(text: str, word: str) -> str:
    words = text.rstrip(".?!").split()
    position = [w.strip(",.?!").lower() for w in words].index(word.lower())
    return " ".join(words[:position] + words[position + 1 :])


def substituted(text: str, old: str, new: str) -> str:
    words = text.split()
    position = [w.strip(",.?!").lower() for w in words].index(old.lower())
    words[position] = words[position].replace(old, new)
    return " ".join(words)


@dataclass(frozen=True)
class Clip:
    sentence: int
    voice: str
    speed: float
    audio: PcmAudio
    audio_without_word: PcmAudio  # the same voice and speed, `drop` left out


async def synthesize(per_sentence: int) -> list[Clip]:
    synthesizer = EspeakSynthesizer()

    async def pcm(text: str, voice: str, speed: float) -> PcmAudio:
        speech = await synthesizer.synthesize(text, voice=voice, speed=speed)
        return await asyncio.to_thread(decode_to_pcm, speech.audio)

    clips = []
    for i, sentence in enumerate(SENTENCES):
        for voice, speed in variants(i, per_sentence):
            full = await pcm(sentence.text, voice, speed)
            short = await pcm(without(sentence.text, sentence.drop), voice, speed)
            clips.append(Clip(i, voice, speed, full, short))
    return clips


def word_index(text: str, word: str) -> int:
    return reference_words(text).index(word.lower())


def reference_entries(result: ScoringResult) -> list:
    return [w for w in result.word_scores if w.error_type != WordError.INSERTION]


@dataclass
class Report:
    correct: list[float] = field(default_factory=list)
    altered: dict[str, list[float]] = field(default_factory=dict)
    wins: dict[str, int] = field(default_factory=dict)  # correct beat altered, per alteration
    substitutions_flagged: int = 0  # the substituted word is a Mispronunciation or Omission
    substitutions_found: int = 0  # ... or at least the lowest-scoring reference word
    omissions_found: int = 0
    insertions_found: int = 0
    false_alarms: int = 0  # words of correctly read clips flagged with any miscue
    correct_words: int = 0
    clips: int = 0
    seconds_scored: float = 0.0

    def rate(self, count: int) -> float:
        return count / self.clips

    @property
    def pair_rate(self) -> float:
        return sum(self.wins.values()) / (len(self.wins) * self.clips)

    def summary(self) -> str:
        spread = "; ".join(
            f"{name} mean {statistics.mean(v):.1f} min {min(v):.1f} max {max(v):.1f}"
            for name, v in [("correct", self.correct), *self.altered.items()]
        )
        return (
            f"{self.clips} clips: correct beats altered in {self.pair_rate:.3f} of the pairs "
            f"({', '.join(f'{k} {v}/{self.clips}' for k, v in self.wins.items())}); "
            f"substituted word flagged "
            f"{self.rate(self.substitutions_flagged):.3f}, flagged or lowest "
            f"{self.rate(self.substitutions_found):.3f}; omission detected "
            f"{self.rate(self.omissions_found):.3f}; insertion detected "
            f"{self.rate(self.insertions_found):.3f}; false alarms on correct words "
            f"{self.false_alarms / self.correct_words:.3f}. Pronunciation scores: {spread}."
        )


def measure(clips: list[Clip], score: Callable[[PcmAudio, str], ScoringResult]) -> Report:
    kinds = ("substituted", "extra word", "missing word", "other")
    report = Report(altered={k: [] for k in kinds}, wins=dict.fromkeys(kinds, 0))
    for clip in clips:
        sentence = SENTENCES[clip.sentence]
        other = SENTENCES[(clip.sentence + 1) % len(SENTENCES)].text
        swapped = substituted(sentence.text, *sentence.substitute)
        shortened = without(sentence.text, sentence.drop)
        own = score(clip.audio, sentence.text)
        results = {
            "substituted": score(clip.audio, swapped),
            "extra word": score(clip.audio, shortened),
            "other": score(clip.audio, other),
        }
        # (d): the clip without the word is "correct" against its own, shortened text.
        missing = score(clip.audio_without_word, sentence.text)
        missing_own = score(clip.audio_without_word, shortened)
        report.clips += 1
        report.seconds_scored += 5 * clip.audio.duration_seconds
        report.seconds_scored += 2 * clip.audio_without_word.duration_seconds
        report.correct.append(own.pronunciation_score)
        for name, result in results.items():
            report.altered[name].append(result.pronunciation_score)
            report.wins[name] += own.pronunciation_score > result.pronunciation_score
        report.altered["missing word"].append(missing.pronunciation_score)
        report.wins["missing word"] += missing_own.pronunciation_score > missing.pronunciation_score

        words = reference_entries(results["substituted"])
        target = words[word_index(swapped, sentence.substitute[1])]
        flagged = target.error_type != WordError.NONE
        report.substitutions_flagged += flagged
        report.substitutions_found += flagged or target.score == min(w.score for w in words)
        dropped = reference_entries(missing)[word_index(sentence.text, sentence.drop)]
        report.omissions_found += dropped.error_type == WordError.OMISSION
        report.insertions_found += any(
            w.error_type == WordError.INSERTION for w in results["extra word"].word_scores
        )
        report.correct_words += len(own.word_scores)
        report.false_alarms += sum(w.error_type != WordError.NONE for w in own.word_scores)
    return report


PER_SENTENCE = 2  # 36 clips, 7 scorings each: about 40 s a scorer on a 2-core machine


# Both offline scorers: the default, and the one that checks phones against learner substitutes.
@pytest.fixture(scope="module", params=["pocketsphinx", "pocketsphinx-phones"])
def scorer(request) -> SpeechScorer:
    try:
        from adapters.speech.pocketsphinx_scorer import PocketsphinxScorer
    except ImportError as exc:
        unavailable(f"pocketsphinx is not installed: {exc}")
    return PocketsphinxScorer(learner_substitutes=request.param == "pocketsphinx-phones")


@pytest.fixture(scope="module")
def clips() -> list[Clip]:
    return asyncio.run(synthesize(PER_SENTENCE))


@pytest.fixture(scope="module")
def report(scorer, clips) -> Report:
    measured = measure(clips, lambda audio, text: scorer.score_blocking(audio, text, "en-US"))
    LOG.info("Scoring quality, %s: %s", scorer.provider, measured.summary())
    return measured


def test_correct_text_scores_higher_than_altered_text(report: Report) -> None:
    assert report.pair_rate >= 0.95, report.summary()


def test_substituted_word_is_singled_out(report: Report) -> None:
    assert report.rate(report.substitutions_found) >= 0.85, report.summary()
    assert report.rate(report.substitutions_flagged) >= 0.8, report.summary()


def test_word_missing_from_the_audio_is_an_omission(report: Report) -> None:
    assert report.rate(report.omissions_found) >= 0.7, report.summary()


def test_extra_word_in_the_audio_is_an_insertion(report: Report) -> None:
    assert report.rate(report.insertions_found) >= 0.5, report.summary()


def test_correct_reading_raises_few_false_alarms(report: Report) -> None:
    assert report.false_alarms / report.correct_words <= 0.3, report.summary()


def test_scores_spread_between_correct_and_altered(report: Report) -> None:
    correct = statistics.mean(report.correct)
    assert correct >= 70, report.summary()
    assert correct - statistics.mean(report.altered["other"]) >= 25, report.summary()
    assert correct - statistics.mean(report.altered["substituted"]) >= 3, report.summary()


# (sentence, voice, speed) of the committed recordings.
RECORDINGS = [(0, "en-us", 1.0), (3, "en-gb+f3", 1.0), (7, "en-029", 1.25), (9, "en-us", 1.25)]
RECORDINGS_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "speech"


def recording_path(sentence: int, voice: str, speed: float) -> Path:
    return RECORDINGS_DIR / f"sentence{sentence:02d}-{voice.replace('+', '-')}-{speed:g}x.mp3"


@pytest.mark.parametrize("sentence, voice, speed", RECORDINGS)
def test_recordings_score_their_own_text_highest(
    scorer, sentence: int, voice: str, speed: float
) -> None:
    audio = decode_to_pcm(recording_path(sentence, voice, speed).read_bytes())
    text = SENTENCES[sentence].text
    swapped = substituted(text, *SENTENCES[sentence].substitute)
    own, altered, other = (
        scorer.score_blocking(audio, t, "en-US")
        for t in (text, swapped, SENTENCES[(sentence + 1) % len(SENTENCES)].text)
    )
    assert own.pronunciation_score > altered.pronunciation_score
    assert own.pronunciation_score > other.pronunciation_score + 15
    words = reference_entries(altered)
    target = words[word_index(swapped, SENTENCES[sentence].substitute[1])]
    assert target.error_type != WordError.NONE or target.score == min(w.score for w in words)


async def record() -> None:
    synthesizer = EspeakSynthesizer()
    RECORDINGS_DIR.mkdir(parents=True, exist_ok=True)
    for sentence, voice, speed in RECORDINGS:
        speech = await synthesizer.synthesize(SENTENCES[sentence].text, voice=voice, speed=speed)
        recording_path(sentence, voice, speed).write_bytes(encode_mp3(speech.audio))


if __name__ == "__main__":
    asyncio.run(record())
