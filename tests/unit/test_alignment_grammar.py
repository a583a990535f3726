"""The alignment grammar's arcs that skip words, and the words it must keep."""

from adapters.speech.alignment_grammar import SILENCE, grammar, phone_and_slot

# "I think so": one pronunciation each.
WORDS = [[["AY"]], [["TH", "IH", "NG", "K"]], [["S", "OW"]]]


def skips(transitions: list[tuple], n: int) -> set[tuple[int, int]]:
    """(first, end) of the words each arc skips: from the boundary before word `first` into
    the first phone of word `end`, or on to the end of the grammar."""
    found = set()
    for src, dst, _, *label in transitions:
        if src > n or not label:  # inside a word, or a phone left out
            continue
        if label[0] == SILENCE:
            if src < dst == n:
                found.add((src, n))
            continue
        _, word = phone_and_slot(label[0])  # slots are word indices in so short a text
        if src < word:
            found.add((src, word))
    return found


def test_up_to_two_words_may_be_skipped_at_once() -> None:
    final, transitions = grammar(WORDS, left_out=False)
    assert skips(transitions, final) == {(0, 1), (0, 2), (1, 2), (1, 3), (2, 3)}


def test_a_kept_word_is_never_skipped() -> None:
    final, transitions = grammar(WORDS, left_out=True, kept={1})
    assert skips(transitions, final) == {(0, 1), (2, 3)}
