from __future__ import annotations

import pytest

from goldlabel.exceptions import ConflictError, DataValidationError, NotFoundError
from goldlabel.service.auth import (
    auth_configured,
    authenticate_password,
    authenticate_token,
    create_api_token,
    create_user,
    verify_password,
)
from goldlabel.store import Database
from goldlabel.store.tables import ApiToken


def test_users_and_tokens(sqlite_db: Database) -> None:
    with sqlite_db.write() as s:
        assert not auth_configured(s)
        user = create_user(s, "ana", "correct horse")
        assert user.password_hash.startswith("scrypt$") and "correct" not in user.password_hash
        token = create_api_token(s, "ana", name="laptop")
        assert auth_configured(s)
        assert authenticate_token(s, token).name == "ana"
        assert authenticate_token(s, token + "x") is None
        assert token not in {t.token_hash for t in s.query(ApiToken)}
        assert authenticate_password(s, "ana", "correct horse").name == "ana"
        assert authenticate_password(s, "ana", "wrong horse!") is None
        assert authenticate_password(s, "bob", "correct horse") is None


@pytest.mark.parametrize(
    ("name", "password", "error", "match"),
    [
        ("", "long enough", DataValidationError, "non-empty name"),
        ("bob", "short", DataValidationError, "at least 8 characters"),
        ("ana", "another pass", ConflictError, "user 'ana' already exists"),
    ],
    ids=["empty-name", "short-password", "duplicate"],
)
def test_bad_users_are_refused(
    sqlite_db: Database, name: str, password: str, error: type, match: str
) -> None:
    with sqlite_db.write() as s:
        create_user(s, "ana", "first password")
    with pytest.raises(error, match=match), sqlite_db.write() as s:
        create_user(s, name, password)


def test_token_for_unknown_user_and_malformed_hash(sqlite_db: Database) -> None:
    with pytest.raises(NotFoundError, match="user 'zed' does not exist"), sqlite_db.write() as s:
        create_api_token(s, "zed")
    assert not verify_password("x", "md5$abc")
    assert not verify_password("x", "garbage")
