"""Repositories of the learning context over one AsyncSession."""

from dataclasses import asdict
from uuid import UUID

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.sql.rows import column_values, from_row, to_row
from adapters.sql.statements import insert_row, update_row, upsert
from adapters.sql.tables import (
    AssessmentRow,
    Base,
    LearningProfileRow,
    LearningSettingsRow,
    PronunciationAnalysisRow,
)
from domain.errors import NotFound
from ports.cefr import CefrLevel
from ports.learning import (
    AnalysisSource,
    Assessment,
    AssessmentKind,
    LearningProfile,
    LearningSettings,
    PronunciationAnalysis,
    WordResult,
)


async def _page(
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
        rows, total = await _page(self._session, PronunciationAnalysisRow, user_id, offset, limit)
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
        rows, total = await _page(self._session, AssessmentRow, user_id, offset, limit)
        return [_assessment(row) for row in rows], total


class SqlLearningSettingsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, user_id: UUID) -> LearningSettings:
        row = await self._session.get(LearningSettingsRow, user_id)
        return LearningSettings(user_id) if row is None else from_row(LearningSettings, row)

    async def save(self, settings: LearningSettings) -> None:
        statement = upsert(self._session, LearningSettingsRow, asdict(settings), ["user_id"])
        await self._session.execute(statement)
