"""The labeling-function routes under /api/projects/{id}/lfs, over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from goldlabel.server import create_app
from tests.service.test_weak_labels import CLASSES, rules_frame
from tests.store.dbfixtures import BACKENDS, open_test_database


@pytest.fixture(params=BACKENDS)
def client(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TestClient]:
    for db in open_test_database(request.param, tmp_path):
        with TestClient(create_app(db), headers={"X-Goldlabel-User": "ann"}) as c:
            yield c


@pytest.fixture(scope="module", params=BACKENDS)
def seeded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, int]]:
    """One project with three saved rules, shared by the read-only and failing calls."""
    for db in open_test_database(request.param, tmp_path_factory.mktemp("weak")):
        with TestClient(create_app(db)) as c:
            pid = _project(c)
            _save_rules(c, pid)
            yield c, pid


def _project(client: TestClient) -> int:
    csv = rules_frame().to_csv(index=False).encode()
    ds = client.post("/api/datasets", files={"file": ("rules.csv", csv)}).json()
    body = {
        "dataset_id": ds["id"],
        "name": "rules",
        "classes": CLASSES,
        "text_columns": ["text"],
        "label_column": "label",
    }
    return int(client.post("/api/projects", json=body).json()["id"])


def _save_rules(client: TestClient, pid: int) -> list[dict]:
    bodies = [
        {"kind": "keyword", "label": "sports", "keywords": ["match", "goal"], "name": "sport"},
        {"kind": "keyword", "label": "tech", "keywords": "software, chip"},
        {"kind": "regex", "label": "world", "pattern": r"\b(election|treaty)\b"},
    ]
    out = []
    for body in bodies:
        res = client.post(f"/api/projects/{pid}/lfs", json=body)
        assert res.status_code == 201, res.text
        out.append(res.json())
    return out


def test_write_preview_apply_and_undo_over_http(client: TestClient) -> None:
    pid = _project(client)
    preview = client.post(
        f"/api/projects/{pid}/lfs/preview",
        json={"kind": "keyword", "label": "tech", "keywords": ["chip"]},
    ).json()
    n_chip = int(rules_frame()["text"].str.contains("chip").sum())
    assert preview["n_covered"] == n_chip > 0 and preview["accuracy"] == 1.0
    saved = _save_rules(client, pid)
    assert saved[0]["created_by"] == "ann" and saved[1]["keywords"] == ["software", "chip"]
    listed = client.get(f"/api/projects/{pid}/lfs", params={"stats": True}).json()
    assert [lf["name"] for lf in listed["lfs"]] == [lf["name"] for lf in saved]
    assert sum(lf["n_covered"] for lf in listed["lfs"]) == 60
    proposal = client.get(f"/api/projects/{pid}/lfs/proposal", params={"threshold": 0.6}).json()
    assert proposal["n_to_label"] == 30
    suggestions = client.get(f"/api/projects/{pid}/lfs/suggestions", params={"limit": 5}).json()
    assert suggestions["total"] == 30 and len(suggestions["rows"]) == 5
    applied = client.post(
        f"/api/projects/{pid}/lfs/apply",
        json={"threshold": 0.6, "fingerprint": proposal["fingerprint"]},
    ).json()
    action = applied["action"]
    assert action["kind"] == "weak" and action["n_rows"] == 30
    rows = client.get(f"/api/projects/{pid}/rows", params={"source": "weak", "limit": 100}).json()
    assert rows["total"] == 30
    log = client.get(f"/api/projects/{pid}/actions").json()
    assert log[0]["id"] == action["action_id"] and log[0]["user"] == "ann"
    undone = client.post(f"/api/projects/{pid}/actions/{action['action_id']}/undo").json()
    assert undone["n_rows"] == 30
    after = client.get(f"/api/projects/{pid}/lfs/proposal", params={"threshold": 0.6}).json()
    assert after["n_to_label"] == 30


def test_edit_delete_and_issues_over_http(client: TestClient) -> None:
    pid = _project(client)
    saved = _save_rules(client, pid)
    res = client.patch(f"/api/projects/{pid}/lfs/{saved[2]['id']}", json={"active": False})
    assert res.status_code == 200 and res.json()["active"] is False
    issues = client.get(f"/api/projects/{pid}/lfs/issues", params={"min_confidence": 0.5}).json()
    assert issues["row_ids"] == [0] and issues["rows"][0]["lf_label"] == "sports"
    tagged = client.post(f"/api/projects/{pid}/lfs/issues/tag", json={"min_confidence": 0.5})
    assert tagged.json()["action"]["n_rows"] == 1
    rows = client.get(f"/api/projects/{pid}/rows", params={"tag": "lf-conflict"}).json()
    assert [r["row_id"] for r in rows["rows"]] == [0]
    assert (
        client.delete(f"/api/projects/{pid}/lfs/{saved[0]['id']}").json()["deleted"]
        == saved[0]["id"]
    )
    assert len(client.get(f"/api/projects/{pid}/lfs").json()["lfs"]) == 2


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "fragment"),
    [
        (
            "post",
            "/lfs",
            {"kind": "regex", "label": "tech", "pattern": "(x"},
            400,
            "not a valid regular",
        ),
        ("post", "/lfs", {"kind": "shout", "label": "tech"}, 422, "body.kind"),
        (
            "post",
            "/lfs/preview",
            {"kind": "keyword", "label": "art", "keywords": ["a"]},
            400,
            "got 'art'",
        ),
        (
            "post",
            "/lfs",
            {"kind": "keyword", "label": "tech", "keywords": "x", "name": "sport"},
            409,
            "already has an LF named 'sport'",
        ),
        ("patch", "/lfs/999", {"active": False}, 404, "labeling function 999 does not exist"),
        ("delete", "/lfs/999", None, 404, "labeling function 999 does not exist"),
        ("get", "/lfs/proposal?threshold=2", None, 400, "threshold must lie in [0, 1]"),
        ("post", "/lfs/apply", {"threshold": 0.5, "fingerprint": "stale"}, 409, "changed since"),
        ("post", "/lfs/apply", {"threshold": 5}, 422, "body.threshold"),
    ],
    ids=[
        "bad-regex",
        "bad-kind",
        "bad-class",
        "taken-name",
        "patch-404",
        "delete-404",
        "bad-threshold",
        "stale",
        "threshold-422",
    ],
)
def test_errors_have_the_one_json_shape(
    seeded: tuple[TestClient, int],
    method: str,
    path: str,
    body: dict | None,
    status: int,
    fragment: str,
) -> None:
    client, pid = seeded
    kwargs = {"json": body} if body is not None else {}
    res = getattr(client, method)(f"/api/projects/{pid}{path}", **kwargs)
    assert res.status_code == status, res.text
    payload = res.json()
    assert payload["ok"] is False and payload["status"] == status
    assert fragment in payload["error"]


def test_unknown_project_is_a_404(seeded: tuple[TestClient, int]) -> None:
    client, _ = seeded
    res = client.get("/api/projects/77/lfs")
    assert res.status_code == 404 and "project 77 does not exist" in res.json()["error"]
