"""Auth routes: thin, the decisions are in service.py."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.responses import JSONResponse

from scoremate_auth.schemas import JwksOut, LoginIn, RefreshIn, RegisterIn, TokensOut, UserOut, VerifyEmailIn
from scoremate_auth.service import AuthService, TooManyLoginAttempts
from scoremate_shared.auth import CurrentUser
from scoremate_shared.dependencies import DatabaseDep, SessionDep
from scoremate_shared.errors import problem_response

router = APIRouter(prefix="/auth", tags=["auth"])

_UNAUTHORIZED: dict[int | str, dict[str, Any]] = {401: {"description": "Missing, invalid or expired token"}}
# Token responses must never be cached by anything in between (RFC 6749 5.1).
_NO_STORE = {"Cache-Control": "no-store"}


async def get_auth(request: Request) -> AuthService:
    auth: AuthService = request.app.state.runtime.auth
    return auth


AuthDep = Annotated[AuthService, Depends(get_auth)]


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    summary="Create an account",
    responses={
        409: {"description": "E-mail already registered"},
        422: {"description": "Bad e-mail or password"},
    },
)
async def register(body: RegisterIn, session: SessionDep, auth: AuthDep) -> UserOut:
    """Register with e-mail and password (8 characters at least), optionally another user's referral code."""
    return await auth.register(session, body)


@router.post(
    "/login",
    summary="Sign in",
    responses={401: {"description": "Wrong e-mail or password"}, 429: {"description": "Too many failures"}},
)
async def login(
    body: LoginIn, request: Request, db: DatabaseDep, auth: AuthDep, response: Response
) -> TokensOut:
    """An access token and a refresh token for the right e-mail and password."""
    response.headers.update(_NO_STORE)
    # The gateway's judgement of the client's address (X-Forwarded-For from a trusted proxy).
    client = request.client.host if request.client else ""
    # The database, not a request session: a failed attempt is committed before the 401.
    return await auth.login(db, body, client)


@router.post("/refresh", summary="Exchange a refresh token", responses=_UNAUTHORIZED)
async def refresh(body: RefreshIn, db: DatabaseDep, auth: AuthDep, response: Response) -> TokensOut:
    """A new token pair; the refresh token sent is dead afterwards, and re-using it signs the login out."""
    response.headers.update(_NO_STORE)
    # The database, not a request session: a re-used token's revocation is committed before the 401.
    return await auth.refresh(db, body.refresh_token)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, summary="Sign out")
async def logout(body: RefreshIn, session: SessionDep, auth: AuthDep) -> Response:
    """Revoke every refresh token of this login; 204 even when the token is unknown."""
    await auth.logout(session, body.refresh_token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me", summary="The caller's account", responses=_UNAUTHORIZED)
async def me(user: CurrentUser, session: SessionDep, auth: AuthDep) -> UserOut:
    """E-mail, plan and referral code of the caller."""
    return await auth.me(session, user.user_id)


@router.post(
    "/verify-email",
    summary="Confirm the account's e-mail address",
    responses={400: {"description": "Unknown or expired token"}, 422: {"description": "No token"}},
)
async def verify_email(body: VerifyEmailIn, session: SessionDep, auth: AuthDep) -> UserOut:
    """The token from the verification e-mail (no bearer token needed); again with it is 200 too."""
    return await auth.verify_email(session, body.token)


@router.post(
    "/verify-email/resend",
    status_code=status.HTTP_202_ACCEPTED,
    response_class=Response,  # no body: nothing to document as JSON
    summary="Send the verification e-mail again",
    responses={
        **_UNAUTHORIZED,
        409: {"description": "Already verified"},
        429: {"description": "One was sent moments ago (Retry-After)"},
        503: {"description": "The mail server failed; retry"},
    },
)
async def resend_verification_email(user: CurrentUser, session: SessionDep, auth: AuthDep) -> Response:
    """A new link to the caller's address; earlier links keep working until they expire."""
    await auth.resend_verification_email(session, user.user_id)
    return Response(status_code=status.HTTP_202_ACCEPTED)


@router.delete(
    "/me", status_code=status.HTTP_202_ACCEPTED, summary="Delete the account", responses=_UNAUTHORIZED
)
async def delete_me(user: CurrentUser, session: SessionDep, auth: AuthDep) -> Response:
    """Delete the account; every service erases the user's data within seconds."""
    await auth.delete_account(session, user.user_id)
    return Response(status_code=status.HTTP_202_ACCEPTED)


@router.get("/.well-known/jwks.json", summary="Public keys of the access tokens")
async def jwks(request: Request, auth: AuthDep) -> JSONResponse:
    """The active ES256 key and the previous one while tokens it signed may still be alive."""
    body = JwksOut.model_validate(await auth.keys.jwks())
    max_age = auth.settings.jwks_max_age_seconds
    return JSONResponse(body.model_dump(), headers={"Cache-Control": f"public, max-age={max_age}"})


async def on_too_many_login_attempts(_: Request, exc: Exception) -> Response:
    """The shared problem handler, plus the Retry-After header it does not know about."""
    assert isinstance(exc, TooManyLoginAttempts)
    return problem_response(exc.to_problem(), {"Retry-After": str(exc.retry_after_seconds)})
