"""Repositories of the learning context over one AsyncSession."""

from dataclasses import asdict
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import case, delete, func, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.sql.rows import column_values, from_row, to_row
from adapters.sql.statements import insert_row, update_row, upsert
from adapters.sql.tables import (
    AssessmentRow,
    Base,
    GameSessionRow,
    LearningPlanRow,
    LearningProfileRow,
    LearningSettingsRow,
    PronunciationAnalysisRow,
    TutorMessageRow,
    TutorSessionRow,
)
from domain.errors import NotFound
from ports.cefr import CefrLevel
from ports.grammar import Dialect
from ports.learning import (
    ActivityKind,
    AnalysisSource,
    Assessment,
    AssessmentKind,
    LearningPlan,
    LearningProfile,
    LearningSettings,
    PlanActivity,
    PlanWeek,
    PracticeTotals,
    PronunciationAnalysis,
    ScoreAt,
    WordResult,
)
from ports.tutoring import InputMode, Speaker


async def newest_page(
    session: AsyncSession, table: type[Base], user_id: UUID, offset: int, limit: int
) -> tuple[list, int]:
    """One page of the learner's rows of `table`, newest first, and their count."""
    user_column, created_column = table.user_id, table.created_at  # type: ignore[attr-defined]
    total = await session.scalar(
        select(func.count()).select_from(table).where(user_column == user_id)
    )
    rows = await session.scalars(
        select(table)
        .where(user_column == user_id)
        # id breaks ties so that pages never overlap.
        .order_by(created_column.desc(), table.id.desc())  # type: ignore[attr-defined]
        .offset(max(offset, 0))
        .limit(max(limit, 0))
    )
    return list(rows), total or 0


def _profile(row: LearningProfileRow) -> LearningProfile:
    return from_row(LearningProfile, row, level=CefrLevel(row.level))


class SqlLearningProfileRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, profile: LearningProfile) -> None:
        row = to_row(LearningProfileRow, profile, level=CefrLevel(profile.level).value)
        await insert_row(self._session, "learning profile", row)

    async def get(self, profile_id: UUID) -> LearningProfile | None:
        row = await self._session.get(LearningProfileRow, profile_id)
        return None if row is None else _profile(row)

    async def list_for_user(self, user_id: UUID) -> list[LearningProfile]:
        rows = await self._session.scalars(
            select(LearningProfileRow)
            .where(LearningProfileRow.user_id == user_id)
            .order_by(LearningProfileRow.created_at, LearningProfileRow.id)
        )
        return [_profile(row) for row in rows]

    async def update(self, profile: LearningProfile) -> None:
        values = column_values(profile, "updated_at", level=CefrLevel(profile.level).value)
        await update_row(self._session, "learning profile", LearningProfileRow, profile.id, values)

    async def delete(self, profile_id: UUID) -> None:
        result = await self._session.execute(
            delete(LearningProfileRow).where(LearningProfileRow.id == profile_id)
        )
        if result.rowcount == 0:  # type: ignore[attr-defined]
            raise NotFound("learning profile not found")


def _analysis(row: PronunciationAnalysisRow) -> PronunciationAnalysis:
    return from_row(
        PronunciationAnalysis,
        row,
        source=AnalysisSource(row.source),
        words=[WordResult(**word) for word in row.words],
    )


class SqlPronunciationAnalysisRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, analysis: PronunciationAnalysis) -> None:
        row = to_row(
            PronunciationAnalysisRow,
            analysis,
            source=AnalysisSource(analysis.source).value,
            words=[asdict(word) for word in analysis.words],
        )
        await insert_row(self._session, "pronunciation analysis", row)

    async def list_for_user(
        self, user_id: UUID, offset: int, limit: int
    ) -> tuple[list[PronunciationAnalysis], int]:
        rows, total = await newest_page(
            self._session, PronunciationAnalysisRow, user_id, offset, limit
        )
        return [_analysis(row) for row in rows], total


def _assessment(row: AssessmentRow) -> Assessment:
    return from_row(Assessment, row, kind=AssessmentKind(row.kind), level=CefrLevel(row.level))


class SqlAssessmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, assessment: Assessment) -> None:
        row = to_row(
            AssessmentRow,
            assessment,
            kind=AssessmentKind(assessment.kind).value,
            level=CefrLevel(assessment.level).value,
        )
        await insert_row(self._session, "assessment", row)

    async def get(self, assessment_id: UUID) -> Assessment | None:
        row = await self._session.get(AssessmentRow, assessment_id)
        return None if row is None else _assessment(row)

    async def update(self, assessment: Assessment) -> None:
        values = column_values(assessment, "applied_to")
        await update_row(self._session, "assessment", AssessmentRow, assessment.id, values)

    async def list_for_user(
        self, user_id: UUID, offset: int, limit: int
    ) -> tuple[list[Assessment], int]:
        rows, total = await newest_page(self._session, AssessmentRow, user_id, offset, limit)
        return [_assessment(row) for row in rows], total


class SqlLearningSettingsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, user_id: UUID) -> LearningSettings:
        row = await self._session.get(LearningSettingsRow, user_id)
        if row is None:
            return LearningSettings(user_id)
        dialect = None if row.english_dialect is None else Dialect(row.english_dialect)
        return from_row(LearningSettings, row, english_dialect=dialect)

    async def save(self, settings: LearningSettings) -> None:
        statement = upsert(self._session, LearningSettingsRow, asdict(settings), ["user_id"])
        await self._session.execute(statement)


def _word_count(text: Any) -> Any:
    # Texts are stored with one space between words (turns and recognized texts alike).
    spaces = func.length(text) - func.length(func.replace(text, " ", ""))
    return case((text == "", 0), else_=spaces + 1)


class SqlLearningStatistics:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def totals(self, user_id: UUID) -> PracticeTotals:
        analyses = (
            await self._session.execute(
                select(
                    func.count(),
                    func.coalesce(func.sum(PronunciationAnalysisRow.duration_seconds), 0.0),
                    func.avg(PronunciationAnalysisRow.pronunciation_score),
                    func.coalesce(
                        func.sum(_word_count(PronunciationAnalysisRow.recognized_text)), 0
                    ),
                ).where(PronunciationAnalysisRow.user_id == user_id)
            )
        ).one()
        spoken = case((TutorMessageRow.input_mode == InputMode.AUDIO.value, 1), else_=0)
        turns = (
            await self._session.execute(
                select(
                    func.count(),
                    func.coalesce(func.sum(spoken * _word_count(TutorMessageRow.text)), 0),
                )
                .select_from(TutorMessageRow)
                .join(TutorSessionRow, TutorSessionRow.id == TutorMessageRow.session_id)
                .where(
                    TutorSessionRow.user_id == user_id,
                    TutorMessageRow.speaker == Speaker.LEARNER.value,
                )
            )
        ).one()
        return PracticeTotals(
            speaking_seconds=float(analyses[1]),
            tutor_sessions=await self._count(TutorSessionRow, user_id),
            game_sessions=await self._count(GameSessionRow, user_id),
            turns=turns[0],
            words_spoken=int(turns[1]) + int(analyses[3]),
            pronunciation_analyses=analyses[0],
            average_pronunciation_score=None if analyses[2] is None else float(analyses[2]),
            assessments=await self._count(AssessmentRow, user_id),
        )

    async def _count(self, table: type[Base], user_id: UUID) -> int:
        user_column = table.user_id  # type: ignore[attr-defined]
        total = await self._session.scalar(
            select(func.count()).select_from(table).where(user_column == user_id)
        )
        return total or 0

    async def practice_times(self, user_id: UUID, since: datetime) -> list[datetime]:
        turns = (
            select(TutorMessageRow.created_at.label("at"))
            .join(TutorSessionRow, TutorSessionRow.id == TutorMessageRow.session_id)
            .where(
                TutorSessionRow.user_id == user_id,
                TutorMessageRow.speaker == Speaker.LEARNER.value,
                TutorMessageRow.created_at >= since,
            )
        )
        others = [
            select(column.label("at")).where(table.user_id == user_id, column >= since)
            for table, column in (
                (PronunciationAnalysisRow, PronunciationAnalysisRow.created_at),
                (GameSessionRow, GameSessionRow.completed_at),
                (AssessmentRow, AssessmentRow.created_at),
            )
        ]
        return list(await self._session.scalars(union_all(turns, *others)))

    async def pronunciation_scores(self, user_id: UUID, since: datetime) -> list[ScoreAt]:
        rows = await self._session.execute(
            select(
                PronunciationAnalysisRow.created_at, PronunciationAnalysisRow.pronunciation_score
            )
            .where(
                PronunciationAnalysisRow.user_id == user_id,
                PronunciationAnalysisRow.created_at >= since,
            )
            .order_by(PronunciationAnalysisRow.created_at)
        )
        return [ScoreAt(at, score) for at, score in rows]


def _plan(row: LearningPlanRow) -> LearningPlan:
    schedule = [
        PlanWeek(
            week["week"],
            week["focus"],
            [
                PlanActivity(ActivityKind(a["kind"]), a["title"], a["minutes"], a["times_per_week"])
                for a in week["activities"]
            ],
        )
        for week in row.schedule
    ]
    return from_row(LearningPlan, row, level=CefrLevel(row.level), schedule=schedule)


class SqlLearningPlanRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, plan: LearningPlan) -> None:
        row = to_row(
            LearningPlanRow,
            plan,
            level=CefrLevel(plan.level).value,
            schedule=[asdict(week) for week in plan.schedule],
        )
        await insert_row(self._session, "learning plan", row)

    async def get(self, plan_id: UUID) -> LearningPlan | None:
        row = await self._session.get(LearningPlanRow, plan_id)
        return None if row is None else _plan(row)

    async def list_for_user(
        self, user_id: UUID, offset: int, limit: int
    ) -> tuple[list[LearningPlan], int]:
        rows, total = await newest_page(self._session, LearningPlanRow, user_id, offset, limit)
        return [_plan(row) for row in rows], total
