"""Bearer-token dependencies: who is calling, and with which role."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from adapters.http.access import note_user
from adapters.http.services import Services
from domain.errors import Forbidden, Unauthenticated
from domain.identity.authentication import authenticate
from ports.identity import Role, TokenClaims

_bearer = HTTPBearer(auto_error=False, description="Access token from /auth/login")


async def _optional_claims(
    request: Request,
    services: Services,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> TokenClaims | None:
    # A token that is sent must be valid: a wrong one is a 401, not an anonymous call.
    if credentials is None:
        return None
    claims = await authenticate(credentials.credentials, services.credentials)
    note_user(request.scope, str(claims.user_id))
    return claims


OptionalUser = Annotated[TokenClaims | None, Depends(_optional_claims)]
"""The caller when a bearer token is sent, None when none is."""


async def _claims(claims: OptionalUser) -> TokenClaims:
    if claims is None:
        raise Unauthenticated("Missing bearer token")
    return claims


CurrentUser = Annotated[TokenClaims, Depends(_claims)]


async def _admin(claims: CurrentUser) -> TokenClaims:
    if claims.role is not Role.ADMIN:
        raise Forbidden("This action needs the admin role")
    return claims


AdminUser = Annotated[TokenClaims, Depends(_admin)]
