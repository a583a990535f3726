"""/auth: register, log in (password or social), refresh, log out, and reset a password."""

import logging
from typing import Literal
from uuid import UUID

from fastapi import APIRouter, BackgroundTasks, status
from pydantic import BaseModel, ConfigDict, Field

from adapters.http.errors import error_responses
from adapters.http.inputs import NOT_BLANK
from adapters.http.security import CurrentUser
from adapters.http.services import Services
from domain.errors import ServiceUnavailable
from domain.identity import authentication as auth
from domain.identity import password_reset
from domain.identity.password_reset import MAX_TOKEN_CHARS
from domain.identity.rules import (
    EMAIL_MAX_LENGTH,
    EMAIL_PATTERN,
    NAME_MAX_LENGTH,
    PASSWORD_MAX_LENGTH,
    PASSWORD_MIN_LENGTH,
)
from ports.identity import AuthProvider, User
from ports.mail import Mailer, MailMessage

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/auth", tags=["auth"])

# check_password_strength's letter and digit, in either order (ASCII ones: the server also
# takes other scripts' letters and digits).
PASSWORD_PATTERN = r"[A-Za-z][\s\S]*[0-9]|[0-9][\s\S]*[A-Za-z]"


class UserSummary(BaseModel):
    id: UUID
    email: str
    name: str
    avatar_url: str | None

    @classmethod
    def of(cls, user: User) -> "UserSummary":
        return cls(id=user.id, email=user.email, name=user.name, avatar_url=user.avatar_url)


class AuthResponse(BaseModel):
    user: UserSummary
    access_token: str
    refresh_token: str
    token_type: str = "Bearer"

    @classmethod
    def of(cls, result: auth.Authenticated) -> "AuthResponse":
        return cls(
            user=UserSummary.of(result.user),
            access_token=result.access_token,
            refresh_token=result.refresh_token,
        )


class RegisterRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"email": "user@example.com", "password": "SecurePass123", "name": "Nguyen Van A"}
            ]
        }
    )

    email: str = Field(
        max_length=EMAIL_MAX_LENGTH, pattern=EMAIL_PATTERN, examples=["user@example.com"]
    )
    password: str = Field(
        min_length=PASSWORD_MIN_LENGTH,
        max_length=PASSWORD_MAX_LENGTH,
        pattern=PASSWORD_PATTERN,
        examples=["SecurePass123"],
    )
    name: str = Field(max_length=NAME_MAX_LENGTH, pattern=NOT_BLANK, examples=["Nguyen Van A"])


class LoginRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"email": "user@example.com", "password": "SecurePass123"}]}
    )

    email: str = Field(max_length=320)
    password: str = Field(max_length=1024)


# Every sign-in provider but email and password, which has /auth/login.
SocialProvider = Literal[AuthProvider.GOOGLE, AuthProvider.APPLE, AuthProvider.FACEBOOK]


class SocialLoginRequest(BaseModel):
    provider: SocialProvider = Field(examples=["google"])
    token: str = Field(min_length=1, max_length=16384)
    name: str | None = Field(default=None, max_length=NAME_MAX_LENGTH, pattern=NOT_BLANK)


class RefreshRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"refresh_token": "<refresh_token from /auth/login>"}]}
    )

    refresh_token: str = Field(max_length=4096)


class RefreshResponse(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "Bearer"


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    response_model=AuthResponse,
    responses=error_responses(409),
)
async def register(body: RegisterRequest, services: Services) -> AuthResponse:
    """Creates a student account with an email and a password (8+ characters with a letter and a
    digit) and signs it in: 409 when the email has an account."""
    cmd = auth.Register(email=body.email, password=body.password, name=body.name)
    return AuthResponse.of(await auth.register(cmd, services.unit_of_work(), services.credentials))


@router.post("/login", response_model=AuthResponse, responses=error_responses(401))
async def log_in(body: LoginRequest, services: Services) -> AuthResponse:
    """Signs in with email and password: an access token (Bearer, short-lived) and a refresh
    token for /auth/refresh. 401 for a wrong email or password, the same for both."""
    cmd = auth.LogIn(email=body.email, password=body.password)
    return AuthResponse.of(await auth.log_in(cmd, services.unit_of_work(), services.credentials))


@router.post("/social", response_model=AuthResponse, responses=error_responses(401, 501))
async def social_log_in(body: SocialLoginRequest, services: Services) -> AuthResponse:
    """Signs in with a Google or Apple ID token or a Facebook access token; the first sign-in
    creates the account (or joins the one with the same verified email)."""
    cmd = auth.SocialLogIn(provider=body.provider, token=body.token, name=body.name)
    result = await auth.social_log_in(
        cmd, services.unit_of_work(), services.credentials, services.identity_providers
    )
    return AuthResponse.of(result)


@router.post("/refresh", response_model=RefreshResponse, responses=error_responses(401))
async def refresh(body: RefreshRequest, services: Services) -> RefreshResponse:
    """Returns a new access token and a new refresh token; the one presented is spent."""
    result = await auth.refresh(body.refresh_token, services.unit_of_work(), services.credentials)
    return RefreshResponse(access_token=result.access_token, refresh_token=result.refresh_token)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def log_out(claims: CurrentUser, services: Services) -> None:
    """Ends this login session: its refresh and access tokens stop working."""
    await auth.log_out(claims, services.unit_of_work(), services.credentials)


class ResetRequest(BaseModel):
    email: str = Field(max_length=EMAIL_MAX_LENGTH, pattern=EMAIL_PATTERN)


class ResetConfirm(BaseModel):
    token: str = Field(min_length=1, max_length=MAX_TOKEN_CHARS)
    new_password: str = Field(
        min_length=PASSWORD_MIN_LENGTH, max_length=PASSWORD_MAX_LENGTH, pattern=PASSWORD_PATTERN
    )


class Notice(BaseModel):
    message: str


async def _send(mailer: Mailer, message: MailMessage) -> None:
    # After the response: a failure is the operator's to see, never the caller's to learn
    # from (it would tell that the address has an account).
    try:
        await mailer.send(message)
    except ServiceUnavailable as error:
        logger.error("password reset mail to %s not sent: %s", message.to, error.message)


@router.post("/password-reset", status_code=status.HTTP_202_ACCEPTED, response_model=Notice)
async def request_password_reset(
    body: ResetRequest, services: Services, background: BackgroundTasks
) -> Notice:
    """Mails a single-use reset code (valid 30 minutes) to the address if an account with a
    password uses it. The answer is the same either way."""
    message = await password_reset.request_password_reset(
        body.email, services.reset_mail, services.unit_of_work()
    )
    if message is not None:
        background.add_task(_send, services.mailer, message)
    return Notice(message="If an account uses this address, a reset code is on its way")


@router.post("/password-reset/confirm", response_model=Notice)
async def confirm_password_reset(body: ResetConfirm, services: Services) -> Notice:
    """Sets the new password and ends every login session of the account. A used, expired
    or unknown code is a 400 and changes nothing."""
    await password_reset.reset_password(
        body.token, body.new_password, services.unit_of_work(), services.credentials
    )
    return Notice(message="Password changed; log in with the new password")
