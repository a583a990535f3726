"""Word-level rules of pronunciation scoring, free of any speech library: how a reference text
splits into words, and which miscue (Azure's Omission, Insertion, Mispronunciation) the
acoustic evidence about a word or a pause points to."""

import re
import unicodedata
from dataclasses import dataclass

from ports.scoring import WordError

# Letters or digits, joined by the apostrophe of contractions ("don't") or by the dot and comma
# of numbers ("3.5", "1,000"); hyphens, dashes and other punctuation separate words.
_TOKEN = re.compile(r"[^\W_]+(?:['.,][^\W_]+)*")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})


def reference_words(text: str) -> list[str]:
    """The words a learner is expected to say, in order and in lower case, as a pronunciation
    dictionary spells them."""
    normalized = unicodedata.normalize("NFC", text).translate(_APOSTROPHES).lower()
    return _TOKEN.findall(normalized)


@dataclass(frozen=True)
class MiscueThresholds:
    mispronounced_below: float  # word accuracy (0-100) under which a word is mispronounced
    omitted_below: float  # accuracy under which a word laid over silence or squeezed is absent
    silent_share: float  # share of a word's frames heard as silence that makes it "over silence"
    squeezed_ratio: float  # duration / shortest possible duration that counts as squeezed
    extra_speech_frames: int  # speech frames in a pause that can be an extra word
    extra_speech_share: float  # share of the pause those frames must fill
    extra_speech_gop: float  # nats/frame the silence model must lose to the free phone loop
    # Where a second recognizer weighs the pause instead (PauseEvidence.extra_phone_nats): the
    # speech frames it needs, and the nats one more phone there must gain; None: not asked.
    extra_phone_speech_frames: int = 0
    extra_phone_nats: float | None = None
    # The speech frames it needs where the phone is heard a word away instead (the same nats).
    extra_phone_near_speech_frames: int = 0
    # Where it weighs a word (WordEvidence.left_out_nats): the nats the audio must gain with
    # the word's phones left out for the word to be omitted; None: not asked.
    omitted_nats: float | None = None


@dataclass(frozen=True)
class WordEvidence:
    """What the acoustics say about one reference word."""

    accuracy: float | None  # 0-100; None when the forced alignment skipped the word
    frames: int = 0
    min_frames: int = 0  # the shortest alignment the acoustic model allows
    silent_share: float = 0.0  # share of its frames an unconstrained recognizer heard as silence
    # How much more likely a second recognizer finds the audio with the word's phones left
    # out; None without one.
    left_out_nats: float | None = None


@dataclass(frozen=True)
class PauseEvidence:
    """What the acoustics say about a pause the forced alignment put between words."""

    frames: int
    speech_frames: int  # frames an unconstrained recognizer heard as speech
    gop: float  # silence model against the free phone loop, nats per frame
    # How much more likely a second recognizer finds the audio with one more phone at the
    # boundary the pause is in, and at the likelier boundary a word away; None without one.
    extra_phone_nats: float | None = None
    extra_phone_nats_near: float | None = None


def classify(word: WordEvidence, thresholds: MiscueThresholds) -> WordError:
    """Omission needs the word to be absent from the audio: skipped by the alignment, or badly
    scored while laid over silence or squeezed into the shortest span the model allows (a
    forced alignment has to put every word it keeps somewhere). Where a second recognizer
    weighs the word, it must also find the audio likelier without the word's phones: a short
    word said quickly is squeezed too. A word said badly is a mispronunciation."""
    if word.accuracy is None:
        return WordError.OMISSION
    absent = (
        word.silent_share >= thresholds.silent_share
        or word.frames <= word.min_frames * thresholds.squeezed_ratio
    )
    absent = absent and not heard_word(word.left_out_nats, thresholds)
    if absent and word.accuracy < thresholds.omitted_below:
        return WordError.OMISSION
    if word.accuracy < thresholds.mispronounced_below:
        return WordError.MISPRONUNCIATION
    return WordError.NONE


def heard_word(left_out_nats: float | None, thresholds: MiscueThresholds) -> bool:
    """Whether a second recognizer hears a word the forced alignment found absent (squeezed,
    over silence, or skipped): it finds the audio likelier with the word's phones than
    without them, by the omission threshold. False where it was not asked."""
    return (
        left_out_nats is not None
        and thresholds.omitted_nats is not None
        and left_out_nats < thresholds.omitted_nats
    )


def holds_extra_word(pause: PauseEvidence, thresholds: MiscueThresholds) -> bool:
    """A pause holds an inserted word when it is mostly speech to an unconstrained recognizer
    and silence explains it badly: both, because either alone also fits a breath, a lengthened
    sound at a word's edge or a noisy pause. Where a second recognizer weighs it, the pause
    needs some speech and the recognizer must hear one more phone there than the reference
    has: it hears the edges of the words around the pause as theirs. Its boundaries lie
    between labels, not at frames: where the aligner lays a word over part of the extra speech,
    the recognizer may hear the phone a word away from the pause, weaker evidence that needs
    more speech in the pause."""
    if pause.extra_phone_nats is not None and thresholds.extra_phone_nats is not None:
        heard = (
            (pause.extra_phone_nats, thresholds.extra_phone_speech_frames),
            (pause.extra_phone_nats_near, thresholds.extra_phone_near_speech_frames),
        )
        return any(
            nats is not None
            and nats >= thresholds.extra_phone_nats
            and pause.speech_frames >= speech_frames
            for nats, speech_frames in heard
        )
    return (
        pause.speech_frames >= thresholds.extra_speech_frames
        and pause.speech_frames >= thresholds.extra_speech_share * pause.frames
        and pause.gop <= thresholds.extra_speech_gop
    )
