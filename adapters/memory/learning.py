"""Repositories of the learning context over the in-memory tables."""

from datetime import datetime
from typing import Any
from uuid import UUID

from adapters.memory.tables import Tables, insert, loaded, page, stored, update
from domain.errors import NotFound
from ports.learning import (
    Assessment,
    LearningPlan,
    LearningProfile,
    LearningSettings,
    PracticeTotals,
    PronunciationAnalysis,
    ScoreAt,
)
from ports.tutoring import InputMode, Speaker


def newest_first(rows: list[Any], offset: int, limit: int) -> tuple[list[Any], int]:
    # id breaks ties so that pages never overlap, as in SQL.
    rows.sort(key=lambda row: (row.created_at, row.id), reverse=True)
    return loaded(page(rows, offset, limit)), len(rows)


def _language(profile: LearningProfile) -> tuple[UUID, str]:
    return profile.user_id, profile.language


class InMemoryLearningProfileRepository:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def add(self, profile: LearningProfile) -> None:
        insert(self._tables.learning_profiles, profile.id, profile, "learning profile", _language)

    async def get(self, profile_id: UUID) -> LearningProfile | None:
        return loaded(self._tables.learning_profiles.get(profile_id))

    async def list_for_user(self, user_id: UUID) -> list[LearningProfile]:
        profiles = [p for p in self._tables.learning_profiles.values() if p.user_id == user_id]
        return loaded(sorted(profiles, key=lambda p: (p.created_at, p.id)))

    async def update(self, profile: LearningProfile) -> None:
        update(
            self._tables.learning_profiles,
            profile.id,
            profile,
            "learning profile",
            keep=("user_id", "language", "created_at"),
        )

    async def delete(self, profile_id: UUID) -> None:
        if self._tables.learning_profiles.pop(profile_id, None) is None:
            raise NotFound("learning profile not found")
        # ON DELETE SET NULL, as in SQL.
        for session in self._tables.tutor_sessions.values():
            if session.profile_id == profile_id:
                session.profile_id = None
        for assessment in self._tables.assessments.values():
            if assessment.applied_to == profile_id:
                assessment.applied_to = None


class InMemoryPronunciationAnalysisRepository:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def add(self, analysis: PronunciationAnalysis) -> None:
        insert(self._tables.pronunciation_analyses, analysis.id, analysis, "pronunciation analysis")

    async def list_for_user(
        self, user_id: UUID, offset: int, limit: int
    ) -> tuple[list[PronunciationAnalysis], int]:
        analyses = self._tables.pronunciation_analyses.values()
        return newest_first([a for a in analyses if a.user_id == user_id], offset, limit)


class InMemoryAssessmentRepository:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def add(self, assessment: Assessment) -> None:
        insert(self._tables.assessments, assessment.id, assessment, "assessment")

    async def get(self, assessment_id: UUID) -> Assessment | None:
        return loaded(self._tables.assessments.get(assessment_id))

    async def update(self, assessment: Assessment) -> None:
        current = self._tables.assessments.get(assessment.id)
        if current is None:
            raise NotFound("assessment not found")
        current.applied_to = stored(assessment.applied_to)

    async def list_for_user(
        self, user_id: UUID, offset: int, limit: int
    ) -> tuple[list[Assessment], int]:
        assessments = self._tables.assessments.values()
        return newest_first([a for a in assessments if a.user_id == user_id], offset, limit)


class InMemoryLearningSettingsRepository:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def get(self, user_id: UUID) -> LearningSettings:
        return loaded(self._tables.learning_settings.get(user_id)) or LearningSettings(user_id)

    async def save(self, settings: LearningSettings) -> None:
        self._tables.learning_settings[settings.user_id] = stored(settings)


def _words(text: str) -> int:
    return len(text.split())


class InMemoryLearningStatistics:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def totals(self, user_id: UUID) -> PracticeTotals:
        tables = self._tables
        analyses = [a for a in tables.pronunciation_analyses.values() if a.user_id == user_id]
        sessions = {s.id for s in tables.tutor_sessions.values() if s.user_id == user_id}
        turns = [
            m
            for m in tables.tutor_messages.values()
            if m.session_id in sessions and m.speaker is Speaker.LEARNER
        ]
        scores = [a.pronunciation_score for a in analyses]
        return PracticeTotals(
            speaking_seconds=sum(a.duration_seconds for a in analyses),
            tutor_sessions=len(sessions),
            game_sessions=sum(1 for g in tables.game_sessions.values() if g.user_id == user_id),
            turns=len(turns),
            words_spoken=sum(_words(m.text) for m in turns if m.input_mode is InputMode.AUDIO)
            + sum(_words(a.recognized_text) for a in analyses),
            pronunciation_analyses=len(analyses),
            average_pronunciation_score=sum(scores) / len(scores) if scores else None,
            assessments=sum(1 for a in tables.assessments.values() if a.user_id == user_id),
        )

    async def practice_times(self, user_id: UUID, since: datetime) -> list[datetime]:
        tables = self._tables
        sessions = {s.id for s in tables.tutor_sessions.values() if s.user_id == user_id}
        times = [
            *(
                m.created_at
                for m in tables.tutor_messages.values()
                if m.session_id in sessions and m.speaker is Speaker.LEARNER
            ),
            *(a.created_at for a in tables.pronunciation_analyses.values() if a.user_id == user_id),
            *(g.completed_at for g in tables.game_sessions.values() if g.user_id == user_id),
            *(a.created_at for a in tables.assessments.values() if a.user_id == user_id),
        ]
        return [moment for moment in times if moment >= since]

    async def pronunciation_scores(self, user_id: UUID, since: datetime) -> list[ScoreAt]:
        scores = [
            ScoreAt(a.created_at, a.pronunciation_score)
            for a in self._tables.pronunciation_analyses.values()
            if a.user_id == user_id and a.created_at >= since
        ]
        return sorted(scores, key=lambda score: score.at)


class InMemoryLearningPlanRepository:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def add(self, plan: LearningPlan) -> None:
        insert(self._tables.learning_plans, plan.id, plan, "learning plan")

    async def get(self, plan_id: UUID) -> LearningPlan | None:
        return loaded(self._tables.learning_plans.get(plan_id))

    async def list_for_user(
        self, user_id: UUID, offset: int, limit: int
    ) -> tuple[list[LearningPlan], int]:
        plans = self._tables.learning_plans.values()
        return newest_first([p for p in plans if p.user_id == user_id], offset, limit)
