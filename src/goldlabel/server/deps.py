"""Request dependencies: the app's state and the acting user."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request

from goldlabel.service.auth import authenticate_token
from goldlabel.service.jobs import JobRunner
from goldlabel.store.database import Database

__all__ = ["AppState", "CurrentUser", "State", "get_state", "get_user"]


@dataclass
class AppState:
    """What every route needs: the database, the job runner, whether a token is required."""

    db: Database
    runner: JobRunner
    require_auth: bool


def get_state(request: Request) -> AppState:
    """The app's state."""
    state: AppState = request.app.state.goldlabel
    return state


State = Annotated[AppState, Depends(get_state)]


def get_user(
    state: State,
    authorization: Annotated[str | None, Header()] = None,
    x_goldlabel_user: Annotated[str | None, Header()] = None,
) -> str:
    """The acting user's name: from the bearer token, or (without authentication) the X-Goldlabel-User header."""
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise HTTPException(401, "the Authorization header must be 'Bearer <token>'")
        with state.db.read() as session:
            user = authenticate_token(session, token.strip())
            if user is None:
                raise HTTPException(
                    401, "the API token is not valid; create one with POST /api/auth/tokens"
                )
            return user.name
    if state.require_auth:
        raise HTTPException(
            401,
            "this server requires an API token: send 'Authorization: Bearer <token>' "
            "(create one with POST /api/auth/tokens)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return (x_goldlabel_user or "local").strip()[:200] or "local"


CurrentUser = Annotated[str, Depends(get_user)]
