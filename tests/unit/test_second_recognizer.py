"""How the offline scorer's second recognizer cuts a recording into stretches, and where it
looks for an extra phone."""

from adapters.speech.alignment import Pause, Segment
from adapters.speech.second_recognizer import Heard, stretches


def test_the_recognizer_hears_long_recordings_in_stretches_cut_at_pauses() -> None:
    """A stretch ends in the middle of a pause between words once it is 3 s long; short
    pauses, and the silence before the first word and after the last, are not cut."""

    def pause(after: int, start: int, end: int) -> Pause:  # frames of 10 ms
        return Pause(after, Segment("<sil>", start, end, 0.0))

    pauses = [
        pause(-1, 0, 19),  # before the first word
        pause(0, 150, 169),  # at 1.5 s: too early to cut
        pause(2, 330, 335),  # at 3.3 s: too short
        pause(3, 400, 419),  # at 4.0 s: cut at frame 410
        pause(5, 700, 729),  # 3 s after the cut (frame 715)
        pause(7, 900, 949),  # after the last word
    ]
    trim = 1600  # 0.1 s of the 0.2 s margin
    assert stretches(pauses, 8, 96_000) == [
        (0, 4, trim, 410 * 160),
        (4, 6, 410 * 160, 715 * 160),
        (6, 8, 715 * 160, 96_000 - trim),
    ]


def test_an_extra_phone_a_word_away_from_a_pause_is_the_likelier_on_either_side() -> None:
    heard = Heard({}, {-1: -4.0, 0: -2.0, 1: -1.0, 2: 3.5, 3: -6.0}, {})
    assert heard.extra_phone_near(1) == 3.5  # boundaries after words 0 and 2
    assert heard.extra_phone_near(-1) == -2.0  # before the first word: only the one after
    assert heard.extra_phone_near(3) == 3.5
    assert Heard({}, {}, {}).extra_phone_near(0) is None  # no recognizer, no evidence
