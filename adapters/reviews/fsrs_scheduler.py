"""Spaced repetition scheduled by FSRS (the `fsrs` package, version 6, with its default
parameters: 90% desired retention, learning steps of 1 and 10 minutes)."""

from datetime import UTC, datetime

from fsrs import Card, Rating, Scheduler, State

from ports.reviews import Grade, ReviewPhase, ReviewSchedule

_STATES = {
    ReviewPhase.LEARNING: State.Learning,
    ReviewPhase.REVIEW: State.Review,
    ReviewPhase.RELEARNING: State.Relearning,
}
_PHASES = {state: phase for phase, state in _STATES.items()}
_RATINGS = {
    Grade.AGAIN: Rating.Again,
    Grade.HARD: Rating.Hard,
    Grade.GOOD: Rating.Good,
    Grade.EASY: Rating.Easy,
}


def _utc(moment: datetime) -> datetime:
    # FSRS takes UTC only; an instant given in another zone is the same instant.
    if moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: review at an aware instant")
    return moment.astimezone(UTC)


class FsrsScheduler:
    """Implements ports.reviews.ReviewScheduler. `fuzz` spreads the intervals of items
    learned together over a few days, as FSRS recommends, so that they do not all fall due
    on the same day; tests turn it off to compare intervals."""

    def __init__(self, fuzz: bool = True) -> None:
        self._scheduler = Scheduler(enable_fuzzing=fuzz)

    def review(self, schedule: ReviewSchedule, grade: Grade, now: datetime) -> ReviewSchedule:
        card = Card(
            card_id=0,
            state=_STATES[schedule.phase],
            step=schedule.step,
            stability=schedule.stability,
            difficulty=schedule.difficulty,
            due=_utc(schedule.due),
            last_review=None if schedule.last_review is None else _utc(schedule.last_review),
        )
        reviewed, _ = self._scheduler.review_card(card, _RATINGS[grade], _utc(now))
        return ReviewSchedule(
            phase=_PHASES[reviewed.state],
            step=reviewed.step,
            stability=reviewed.stability,
            difficulty=reviewed.difficulty,
            due=reviewed.due,
            last_review=reviewed.last_review,
        )
