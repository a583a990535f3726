"""How well the learner's grammar checker corrects the learner-error set's held-out part
(evaluation/data/learner_errors.tsv; the full report: `python -m evaluation.corrections`).
The bounds are conservative versions of the measured values (87% fully corrected, no correct
sentence changed, no British spelling flagged): a regression fails them. About 200 sentences,
a few seconds."""

from deployments.providers import build_grammar_checker
from evaluation.corrections import evaluate, read_items


async def test_the_held_out_learner_errors_are_corrected_and_correct_sentences_kept() -> None:
    held_out = [i for i in read_items() if i.split == "heldout"]

    report, _ = await evaluate(build_grammar_checker(), held_out)

    part = report["parts"]["heldout"]
    assert part["erroneous"] >= 120 and part["correct"] >= 40
    assert part["fully_corrected"] >= 0.8, part
    assert part["correct_changed"] <= 0.05, part
    assert part["british_spellings_flagged"] == 0, part
