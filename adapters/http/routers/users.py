"""/users/me: the signed-in user's profile."""

from datetime import datetime
from uuid import UUID

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from adapters.http.inputs import NOT_BLANK
from adapters.http.security import CurrentUser
from adapters.http.services import Services
from domain.identity import profile
from domain.identity.rules import AVATAR_URL_MAX_LENGTH, NAME_MAX_LENGTH
from ports.identity import AuthProvider, Role

router = APIRouter(prefix="/users", tags=["users"])


class Profile(BaseModel):
    id: UUID
    email: str
    name: str
    avatar_url: str | None
    auth_provider: AuthProvider
    role: Role
    created_at: datetime


class ProfileUpdate(BaseModel):
    name: str | None = Field(default=None, max_length=NAME_MAX_LENGTH, pattern=NOT_BLANK)
    avatar_url: str | None = Field(
        default=None, max_length=AVATAR_URL_MAX_LENGTH, pattern=r"^https?://[^/?#\s]"
    )


class UpdatedProfile(BaseModel):
    id: UUID
    email: str
    name: str
    avatar_url: str | None
    updated_at: datetime


@router.get("/me", response_model=Profile)
async def get_me(claims: CurrentUser, services: Services) -> Profile:
    """The signed-in user's account: email, name, avatar, sign-in provider and role."""
    user = await profile.get_profile(claims.user_id, services.unit_of_work())
    return Profile(
        id=user.id,
        email=user.email,
        name=user.name,
        avatar_url=user.avatar_url,
        auth_provider=user.auth_provider,
        role=user.role,
        created_at=user.created_at,
    )


@router.put("/me", response_model=UpdatedProfile)
async def update_me(body: ProfileUpdate, claims: CurrentUser, services: Services) -> UpdatedProfile:
    """Fields left out stay as they are; `"avatar_url": null` removes the avatar."""
    cmd = profile.UpdateProfile(
        name=body.name,
        avatar_url=body.avatar_url,
        clear_avatar="avatar_url" in body.model_fields_set and body.avatar_url is None,
    )
    user = await profile.update_profile(claims.user_id, cmd, services.unit_of_work())
    return UpdatedProfile(
        id=user.id,
        email=user.email,
        name=user.name,
        avatar_url=user.avatar_url,
        updated_at=user.updated_at,
    )


@router.delete("/me", status_code=status.HTTP_204_NO_CONTENT)
async def delete_me(claims: CurrentUser, services: Services) -> None:
    """Deletes the account with its game history and results, and the files it uploaded."""
    await profile.delete_account(
        claims, services.unit_of_work(), services.credentials, services.blobs
    )
