"""The learning context's use cases over the in-memory unit of work: a profile per language,
who may read and change what, the pronunciation history a learner may decline, and an
assessment's level applied to a profile only when the learner asks."""

from uuid import uuid4

import pytest

from adapters.memory.unit_of_work import InMemoryDatabase, InMemoryUnitOfWork
from domain.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from domain.learning.history import (
    ChangeSettings,
    SaveAssessment,
    apply_assessment,
    change_settings,
    list_analyses,
    list_assessments,
    record_pronunciation,
    save_assessment,
)
from domain.learning.profiles import (
    CreateProfile,
    create_profile,
    delete_profile,
    get_profile,
    list_profiles,
    set_level,
)
from domain.learning.rules import check_language, check_score
from domain.pronunciation.scoring import ScoredRecording
from domain.tutor.sessions import get_session, start_session
from ports.cefr import CefrLevel
from ports.learning import AnalysisSource, AssessmentKind
from ports.scoring import ScoringResult, WordError, WordScore
from tests.support.memory import given, learner


@pytest.fixture
async def database() -> InMemoryDatabase:
    return InMemoryDatabase()


def uow_of(database: InMemoryDatabase) -> InMemoryUnitOfWork:
    return InMemoryUnitOfWork(database)


def scored(score: float = 80.0) -> ScoredRecording:
    result = ScoringResult(
        "I like apples",
        score,
        score,
        90.0,
        100.0,
        [
            WordScore("I", 95.0),
            WordScore("like", 90.0),
            WordScore("apples", 40.0, WordError.MISPRONUNCIATION),
        ],
        "offline",
    )
    return ScoredRecording("I like apples.", "en-US", 2.5, result)


def test_a_language_is_an_iso_639_1_code():
    assert check_language(" EN ") == "en"
    for wrong in ("", "e", "eng", "en-GB", "e1"):
        with pytest.raises(InvalidInput):
            check_language(wrong)


def test_a_score_is_on_the_0_to_100_scale():
    assert check_score(0) == 0 and check_score(100) == 100 and check_score(None) is None
    for wrong in (-0.01, 100.01):
        with pytest.raises(InvalidInput):
            check_score(wrong)


async def test_a_learner_has_one_profile_per_language(database):
    ana = learner()
    await given(database, ana)
    english = await create_profile(ana.id, CreateProfile("en", CefrLevel.B1), uow_of(database))
    await create_profile(ana.id, CreateProfile("es", CefrLevel.A1), uow_of(database))

    with pytest.raises(Conflict) as refused:
        await create_profile(ana.id, CreateProfile("EN", CefrLevel.A2), uow_of(database))

    assert refused.value.details == {"field": "language"}
    profiles = await list_profiles(ana.id, uow_of(database))
    assert [(p.language, p.level) for p in profiles] == [("en", CefrLevel.B1), ("es", "A1")]
    assert (await get_profile(ana.id, english.id, uow_of(database))).level is CefrLevel.B1


async def test_a_profile_belongs_to_its_learner(database):
    ana, ben = learner(), learner("Ben")
    await given(database, ana, ben)
    profile = await create_profile(ana.id, CreateProfile("en", CefrLevel.B1), uow_of(database))

    with pytest.raises(Forbidden):
        await get_profile(ben.id, profile.id, uow_of(database))
    with pytest.raises(Forbidden):
        await set_level(ben.id, profile.id, CefrLevel.C2, uow_of(database))
    with pytest.raises(Forbidden):
        await delete_profile(ben.id, profile.id, uow_of(database))
    with pytest.raises(NotFound):
        await get_profile(ana.id, uuid4(), uow_of(database))
    with pytest.raises(Unauthenticated):
        await create_profile(uuid4(), CreateProfile("en", CefrLevel.B1), uow_of(database))
    assert (await get_profile(ana.id, profile.id, uow_of(database))).level is CefrLevel.B1


async def test_a_tutor_session_practises_an_english_profile_at_its_level(database):
    ana, ben = learner(), learner("Ben")
    await given(database, ana, ben)
    english = await create_profile(ana.id, CreateProfile("en", CefrLevel.C1), uow_of(database))
    spanish = await create_profile(ana.id, CreateProfile("es", CefrLevel.A1), uow_of(database))

    session, _ = await start_session(ana.id, None, None, uow_of(database), profile_id=english.id)
    chosen, _ = await start_session(
        ana.id, CefrLevel.A2, None, uow_of(database), profile_id=english.id
    )
    plain, _ = await start_session(ana.id, None, None, uow_of(database))

    assert (session.level, session.profile_id) == (CefrLevel.C1, english.id)
    assert chosen.level is CefrLevel.A2 and plain.level is CefrLevel.A2
    with pytest.raises(InvalidInput):
        await start_session(ana.id, None, None, uow_of(database), profile_id=spanish.id)
    with pytest.raises(Forbidden):
        await start_session(ben.id, None, None, uow_of(database), profile_id=english.id)
    with pytest.raises(NotFound):
        await start_session(ana.id, None, None, uow_of(database), profile_id=uuid4())
    # Deleting the profile keeps the session, without the profile.
    await delete_profile(ana.id, english.id, uow_of(database))
    assert (await get_session(ana.id, session.id, uow_of(database))).profile_id is None


async def test_scored_recordings_are_kept_unless_the_learner_declines(database):
    ana = learner()
    await given(database, ana)
    kept = await record_pronunciation(
        ana.id, AnalysisSource.SPEECH_SCORE, scored(), uow_of(database)
    )
    await change_settings(
        ana.id, ChangeSettings(keep_pronunciation_history=False), uow_of(database)
    )
    declined = await record_pronunciation(
        ana.id, AnalysisSource.SPEECH_SCORE, scored(), uow_of(database)
    )

    history = await list_analyses(ana.id, 1, 10, uow_of(database))
    assert declined is None and kept is not None
    assert [a.id for a in history.items] == [kept.id] and history.total == 1
    (analysis,) = history.items
    assert [(w.word, w.error_type) for w in analysis.words][-1] == ("apples", "Mispronunciation")
    assert analysis.duration_seconds == 2.5 and analysis.reference_text == "I like apples."


async def test_analyses_are_paged_newest_first(database):
    ana = learner()
    await given(database, ana)
    kept = [
        await record_pronunciation(
            ana.id, AnalysisSource.LEARN_REPEAT, scored(score), uow_of(database)
        )
        for score in (10.0, 20.0, 30.0)
    ]

    first = await list_analyses(ana.id, 1, 2, uow_of(database))
    second = await list_analyses(ana.id, 2, 2, uow_of(database))

    assert [a.pronunciation_score for a in first.items + second.items] == [30.0, 20.0, 10.0]
    assert first.total == 3 and first.total_pages == 2 and kept[0] is not None


async def test_an_assessment_sets_a_profile_level_only_when_applied(database):
    ana, ben = learner(), learner("Ben")
    await given(database, ana, ben)
    profile = await create_profile(ana.id, CreateProfile("en", CefrLevel.A2), uow_of(database))
    assessment = await save_assessment(
        ana.id,
        SaveAssessment(AssessmentKind.SPEAKING, CefrLevel.B2, 71.5, {"transcript": "Hi"}),
        uow_of(database),
    )
    assert (await get_profile(ana.id, profile.id, uow_of(database))).level is CefrLevel.A2

    with pytest.raises(Forbidden):
        await apply_assessment(ben.id, assessment.id, profile.id, uow_of(database))
    with pytest.raises(NotFound):
        await apply_assessment(ana.id, uuid4(), profile.id, uow_of(database))
    with pytest.raises(NotFound):
        await apply_assessment(ana.id, assessment.id, uuid4(), uow_of(database))
    applied = await apply_assessment(ana.id, assessment.id, profile.id, uow_of(database))

    assert applied.level is CefrLevel.B2
    (saved,) = (await list_assessments(ana.id, 1, 10, uow_of(database))).items
    assert saved.applied_to == profile.id and saved.details == {"transcript": "Hi"}


async def test_an_assessment_out_of_scale_writes_nothing(database):
    ana = learner()
    await given(database, ana)

    with pytest.raises(InvalidInput):
        await save_assessment(
            ana.id,
            SaveAssessment(AssessmentKind.REPORTED, CefrLevel.B1, 101.0, {}),
            uow_of(database),
        )

    assert (await list_assessments(ana.id, 1, 10, uow_of(database))).total == 0
