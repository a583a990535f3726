"""Grammar checker issues as corrections a learner can read, and the text they lead to."""

from collections import defaultdict

from ports.grammar import Correction, GrammarIssue


def corrections_of(issues: list[GrammarIssue]) -> list[Correction]:
    return [
        Correction(
            original=i.original,
            suggestion=i.suggestions[0] if i.suggestions else None,
            message=i.message,
            kind=i.kind,
            start=i.start,
            end=i.end,
        )
        for i in sorted(issues, key=lambda i: (i.start, i.end))
    ]


def corrected_text(text: str, corrections: list[Correction]) -> str:
    """Applies the first suggestion of each correction that overlaps no earlier one (the
    corrections in order of position), right to left so that the offsets of the others stay
    valid."""
    applied: list[Correction] = []
    for c in corrections:
        if c.suggestion is not None and (not applied or c.start >= applied[-1].end):
            applied.append(c)
    for c in reversed(applied):
        text = text[: c.start] + c.suggestion + text[c.end :]  # type: ignore[operator]
    return text


def describe(corrections: list[Correction]) -> list[str]:
    """One sentence per kind, e.g. "2 agreement errors: 'go' -> 'goes'; 'have' -> 'has'"."""
    by_kind: dict[str, list[Correction]] = defaultdict(list)
    for c in corrections:
        by_kind[c.kind].append(c)
    lines = []
    for kind, found in sorted(by_kind.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        examples = "; ".join(_example(c) for c in found[:3])
        noun = "error" if len(found) == 1 else "errors"
        lines.append(f"{len(found)} {kind.lower().replace('_', ' ')} {noun}: {examples}")
    return lines


def _example(c: Correction) -> str:
    return (
        f"'{c.original}' -> '{c.suggestion}'" if c.suggestion else f"'{c.original}' ({c.message})"
    )
