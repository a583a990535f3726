"""Use cases of learning profiles (002): one per target language, with its CEFR level."""

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID, uuid4

from domain.errors import Conflict, Unauthenticated
from domain.learning.records import require_own
from domain.learning.rules import check_language
from ports.cefr import CefrLevel
from ports.learning import LearningProfile
from ports.unit_of_work import LearningUnitOfWork


@dataclass(frozen=True)
class CreateProfile:
    language: str
    level: CefrLevel


async def owned_profile(
    uow: LearningUnitOfWork, user_id: UUID, profile_id: UUID
) -> LearningProfile:
    """The learner's profile; NotFound, or Forbidden when it is another learner's."""
    profile = await uow.learning_profiles.get(profile_id)
    return require_own(profile, user_id, "Learning profile")


async def create_profile(
    user_id: UUID, cmd: CreateProfile, uow: LearningUnitOfWork
) -> LearningProfile:
    """A new profile; Conflict when the learner already has one of that language."""
    now = datetime.now(UTC)
    profile = LearningProfile(uuid4(), user_id, check_language(cmd.language), cmd.level, now, now)
    async with uow:
        if await uow.users.get(user_id) is None:
            raise Unauthenticated("Account no longer exists")
        try:
            await uow.learning_profiles.add(profile)
        except Conflict:
            raise Conflict(
                f"A learning profile for {profile.language} already exists",
                {"field": "language"},
            ) from None
        await uow.commit()
    return profile


async def list_profiles(user_id: UUID, uow: LearningUnitOfWork) -> list[LearningProfile]:
    async with uow:
        return await uow.learning_profiles.list_for_user(user_id)


async def get_profile(user_id: UUID, profile_id: UUID, uow: LearningUnitOfWork) -> LearningProfile:
    async with uow:
        return await owned_profile(uow, user_id, profile_id)


async def set_level(
    user_id: UUID, profile_id: UUID, level: CefrLevel, uow: LearningUnitOfWork
) -> LearningProfile:
    async with uow:
        profile = await owned_profile(uow, user_id, profile_id)
        profile.level = level
        profile.updated_at = datetime.now(UTC)
        await uow.learning_profiles.update(profile)
        await uow.commit()
    return profile


async def delete_profile(user_id: UUID, profile_id: UUID, uow: LearningUnitOfWork) -> None:
    """Deletes the profile; the sessions and assessments that named it stay in the history."""
    async with uow:
        await owned_profile(uow, user_id, profile_id)
        await uow.learning_profiles.delete(profile_id)
        await uow.commit()
