"""Users and API tokens."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException

from goldlabel.server.deps import CurrentUser, State
from goldlabel.server.schemas import TokenRequest, UserCreate
from goldlabel.service.auth import authenticate_password, create_api_token, create_user
from goldlabel.store.tables import User

router = APIRouter(prefix="/api", tags=["auth"])


@router.post("/users", status_code=201)
def add_user(state: State, user: CurrentUser, body: UserCreate) -> dict[str, Any]:
    """Create a user (an admin only, once authentication is on)."""
    with state.db.write() as session:
        if state.require_auth:
            acting = session.query(User).filter(User.name == user).one_or_none()
            if acting is None or not acting.is_admin:
                raise HTTPException(403, "only an admin can create users")
        created = create_user(session, body.name, body.password, is_admin=body.is_admin)
        return {"id": created.id, "name": created.name, "is_admin": created.is_admin}


@router.post("/auth/tokens", status_code=201)
def sign_in(state: State, body: TokenRequest) -> dict[str, Any]:
    """Exchange a name and password for a new API token (shown once)."""
    with state.db.write() as session:
        if authenticate_password(session, body.name, body.password) is None:
            raise HTTPException(401, "wrong user name or password")
        token = create_api_token(session, body.name, name=body.token_name)
        return {"token": token, "user": body.name}
