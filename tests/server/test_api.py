from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from goldlabel.exceptions import InvalidOptionError
from goldlabel.server import create_app, is_loopback, run_server
from goldlabel.service.auth import create_api_token, create_user
from goldlabel.store import Database

CSV = b"text,label\nthe striker scored in the final,Sports\nshares fell on weak earnings,Business\nrain,\n"


def _project(client: TestClient) -> int:
    ds = client.post("/api/datasets", files={"file": ("d.csv", CSV)}).json()
    return client.post("/api/projects", json={"dataset_id": ds["id"], "name": "p"}).json()["id"]


def _assert_error_shape(body: dict, status: int, fragment: str) -> None:
    assert set(body) >= {"ok", "status", "error", "errors"}
    assert body["ok"] is False and body["status"] == status
    assert fragment in body["error"]


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "fragment"),
    [
        ("get", "/api/projects/42", {}, 404, "project 42 does not exist"),
        ("get", "/api/jobs/42", {}, 404, "job 42 does not exist"),
        ("get", "/api/nowhere", {}, 404, "Not Found"),
        (
            "post",
            "/api/datasets",
            {"files": {"file": ("x.csv", b"a,b\n1,2,3\n")}},
            400,
            "is malformed",
        ),
        (
            "post",
            "/api/datasets",
            {"files": {"file": ("x.doc", b"a")}},
            400,
            "cannot tell the format",
        ),
        (
            "post",
            "/api/datasets",
            {"files": {"file": ("x.csv", b"a\n1\n")}, "data": {"column_roles": "[1"}},
            400,
            "column_roles must be a JSON object",
        ),
        ("post", "/api/projects", {"json": {"name": "p"}}, 422, "body.dataset_id: Field required"),
        ("get", "/api/projects/1/rows?sort=colour", {}, 400, "sort must be one of"),
        ("get", "/api/projects/1/rows?order=sideways", {}, 422, "query.order"),
        (
            "post",
            "/api/projects/1/actions",
            {"json": {"kind": "paint", "row_ids": [0]}},
            400,
            "action kind must be one of",
        ),
        ("get", "/api/projects/1/autolabel", {}, 404, "has no analysis"),
        ("get", "/api/projects/1/export?format=xlsx", {}, 400, "format must be one of"),
        ("post", "/api/projects/1/predict", {"json": {"rows": [{}]}}, 404, "has no deployed model"),
    ],
    ids=[
        "project",
        "job",
        "route",
        "malformed-csv",
        "extension",
        "roles-json",
        "validation",
        "sort",
        "order",
        "action-kind",
        "no-analysis",
        "export-format",
        "no-model",
    ],
)
def test_one_error_shape_everywhere(
    sqlite_db: Database, method: str, path: str, kwargs: dict, status: int, fragment: str
) -> None:
    with TestClient(create_app(sqlite_db)) as client:
        _project(client)
        response = getattr(client, method)(path, **kwargs)
    assert response.status_code == status, response.text
    _assert_error_shape(response.json(), status, fragment)


def test_stale_row_gets_409_with_current_state(sqlite_db: Database) -> None:
    with TestClient(create_app(sqlite_db)) as client:
        pid = _project(client)
        row = client.get(f"/api/projects/{pid}/rows/2").json()
        assert row["version"] == 0 and row["label"] is None
        ana = client.post(
            f"/api/projects/{pid}/actions",
            json={
                "kind": "label",
                "row_ids": [2],
                "label": "Sports",
                "expected_versions": {"2": 0},
            },
            headers={"X-Goldlabel-User": "ana"},
        )
        assert ana.status_code == 200
        bob = client.post(
            f"/api/projects/{pid}/actions",
            json={
                "kind": "label",
                "row_ids": [2],
                "label": "Business",
                "expected_versions": {"2": 0},
            },
            headers={"X-Goldlabel-User": "bob"},
        )
        assert bob.status_code == 409
        body = bob.json()
        _assert_error_shape(body, 409, "changed since you loaded them")
        assert body["current"][0]["label"] == "Sports" and body["current"][0]["updated_by"] == "ana"
        assert client.get(f"/api/projects/{pid}/rows/2").json()["label"] == "Sports"
        undo = client.post(f"/api/projects/{pid}/actions/{ana.json()['action_id']}/undo").json()
        assert undo["n_rows"] == 1
        assert client.get(f"/api/projects/{pid}/rows/9").status_code == 404


def test_tokens_are_required_once_configured(sqlite_db: Database) -> None:
    with sqlite_db.write() as s:
        create_user(s, "admin", "admin password", is_admin=True)
        token = create_api_token(s, "admin")
    with TestClient(create_app(sqlite_db)) as client:
        denied = client.get("/api/projects")
        assert denied.status_code == 401
        _assert_error_shape(denied.json(), 401, "requires an API token")
        assert (
            client.get("/api/projects", headers={"Authorization": "Bearer nope"}).status_code == 401
        )
        assert client.get("/api/projects", headers={"Authorization": "Basic x"}).status_code == 401
        wrong = client.post(
            "/api/auth/tokens", json={"name": "admin", "password": "wrong password"}
        )
        assert wrong.status_code == 401
        fresh = client.post(
            "/api/auth/tokens", json={"name": "admin", "password": "admin password"}
        ).json()
        headers = {"Authorization": f"Bearer {fresh['token']}"}
        assert client.get("/api/projects", headers=headers).json() == []
        made = client.post(
            "/api/users", json={"name": "ann", "password": "ann password"}, headers=headers
        )
        assert made.status_code == 201
        ann = client.post(
            "/api/auth/tokens", json={"name": "ann", "password": "ann password"}
        ).json()
        refused = client.post(
            "/api/users",
            json={"name": "eve", "password": "eve password"},
            headers={"Authorization": f"Bearer {ann['token']}"},
        )
        assert refused.status_code == 403
        assert token != fresh["token"]


def test_openapi_lists_the_api(sqlite_db: Database) -> None:
    with TestClient(create_app(sqlite_db)) as client:
        paths = client.get("/openapi.json").json()["paths"]
    for path in [
        "/api/datasets",
        "/api/projects",
        "/api/projects/{project_id}/analyses",
        "/api/jobs/{job_id}",
        "/api/projects/{project_id}/rows",
        "/api/projects/{project_id}/actions",
        "/api/projects/{project_id}/autolabel",
        "/api/projects/{project_id}/export",
    ]:
        assert path in paths


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("10.1.2.3", False),
        ("example.org", False),
    ],
    ids=["v4", "v6", "name", "any", "lan", "dns"],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_non_loopback_without_auth_is_refused(tmp_path) -> None:
    with pytest.raises(
        InvalidOptionError, match=r"refusing to listen on '0\.0\.0\.0' without authentication"
    ):
        run_server(host="0.0.0.0", port=1, data_dir=tmp_path)


def test_annotations_over_http(sqlite_db: Database) -> None:
    with TestClient(create_app(sqlite_db)) as client:
        pid = _project(client)
        for user, label in (("ana", "Sports"), ("bob", "Business")):
            made = client.put(
                f"/api/projects/{pid}/rows/2/annotations",
                json={"label": label},
                headers={"X-Goldlabel-User": user},
            )
            assert made.status_code == 200 and made.json()["annotator"] == user
        listed = client.get(f"/api/projects/{pid}/annotations", params={"row_id": 2}).json()
        assert [(a["annotator"], a["label"]) for a in listed] == [
            ("ana", "Sports"),
            ("bob", "Business"),
        ]
        missing = client.put(f"/api/projects/{pid}/rows/7/annotations", json={"label": "Sports"})
        _assert_error_shape(missing.json(), 404, "row 7 does not exist")
