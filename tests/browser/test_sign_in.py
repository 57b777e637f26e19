"""A server that requires an API token: the studio asks for a name and password once, keeps the token
and acts as that person."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from goldlabel.service.auth import create_api_token, create_user
from goldlabel.service.demo import create_demo_project
from goldlabel.store import open_database
from tests.browser.conftest import start_studio

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("password", "signed_in"), [("s3cret-pass", True), ("wrong", False)], ids=["right", "wrong"]
)
def test_sign_in_dialog(page: Any, tmp_path: Path, password: str, signed_in: bool) -> None:
    db = open_database(data_dir=tmp_path / "data")
    with db.write() as session:
        create_user(session, "ada", "s3cret-pass", is_admin=True)
        create_api_token(session, "ada", name="setup")
    create_demo_project(db, n_rows=50)
    studio, server, thread = start_studio(db)
    try:
        assert httpx.get(f"{studio.url}/api/projects").status_code == 401
        page.goto(f"{studio.url}/")
        page.wait_for_selector("#signin[open]")
        page.fill("#signin input[name=name]", "ada")
        page.fill("#signin input[name=password]", password)
        page.click("#signin button[value=ok]")
        if signed_in:
            page.wait_for_selector("#projects tbody tr")
            assert page.text_content("#projects tbody tr td a") == "Demo: news topics"
            assert page.evaluate("() => localStorage.getItem('goldlabel.user')") == "ada"
        else:
            page.wait_for_function(
                "() => document.getElementById('signin-error').textContent.includes('wrong user name or password')"
            )
            assert page.is_visible("#signin")
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        db.dispose()
