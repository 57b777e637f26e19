"""Users with scrypt-hashed passwords and API tokens (only their SHA-256 digests are stored)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from goldlabel.exceptions import ConflictError, DataValidationError, NotFoundError
from goldlabel.store.tables import ApiToken, User

__all__ = [
    "auth_configured",
    "authenticate_password",
    "authenticate_token",
    "create_api_token",
    "create_user",
    "hash_password",
    "verify_password",
]

_N, _R, _P = 2**14, 8, 1


def hash_password(password: str) -> str:
    """A salted scrypt hash of ``password``, as ``scrypt$n$r$p$salt$hash`` (hex).

    Examples
    --------
    >>> verify_password("s3cret-pass", hash_password("s3cret-pass"))
    True
    """
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a hash from :func:`hash_password` (constant-time compare)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    check = hashlib.scrypt(
        password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32
    )
    return hmac.compare_digest(check.hex(), digest)


def create_user(session: Session, name: str, password: str, *, is_admin: bool = False) -> User:
    """Create a user.

    Raises
    ------
    DataValidationError
        If the name is empty or the password shorter than 8 characters.
    ConflictError
        If a user of that name exists.
    """
    name = name.strip()
    if not name or len(password) < 8:
        raise DataValidationError(
            "a user needs a non-empty name and a password of at least 8 characters; "
            f"got name {name!r} and a password of {len(password)} characters."
        )
    if session.scalar(select(User.id).where(User.name == name)) is not None:
        raise ConflictError(f"user {name!r} already exists; choose another name.")
    user = User(name=name, password_hash=hash_password(password), is_admin=is_admin)
    session.add(user)
    session.flush()
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(session: Session, user_name: str, *, name: str = "") -> str:
    """Create an API token for a user and return it (it is shown once; only its digest is kept).

    Raises
    ------
    NotFoundError
        If the user does not exist.
    """
    user = session.scalar(select(User).where(User.name == user_name))
    if user is None:
        raise NotFoundError(f"user {user_name!r} does not exist; create the user first.")
    token = "gl_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, name=name, token_hash=_digest(token)))
    session.flush()
    return token


def authenticate_token(session: Session, token: str) -> User | None:
    """The user an API token belongs to, or None."""
    return session.scalar(
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == _digest(token))
    )


def authenticate_password(session: Session, name: str, password: str) -> User | None:
    """The user with this name and password, or None."""
    user = session.scalar(select(User).where(User.name == name))
    if user is None or not verify_password(password, user.password_hash):
        return None
    return user


def auth_configured(session: Session) -> bool:
    """Whether at least one user with a password and at least one API token exist."""
    users = session.scalar(select(func.count()).select_from(User)) or 0
    tokens = session.scalar(select(func.count()).select_from(ApiToken)) or 0
    return users > 0 and tokens > 0
