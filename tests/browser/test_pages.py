"""The studio's page routes and /ui-api helpers, over HTTP (no browser needed)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from goldlabel.server import create_app
from goldlabel.service.demo import create_demo_project
from tests.store.dbfixtures import BACKENDS, open_test_database


@pytest.fixture(scope="module", params=BACKENDS)
def client(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    for db in open_test_database(request.param, tmp_path_factory.mktemp("pages")):
        create_demo_project(db, n_rows=240)
        with TestClient(create_app(db)) as c:
            yield c


@pytest.fixture(scope="module")
def analysed(client: TestClient) -> int:
    job = client.post("/api/projects/1/analyses").json()
    for _ in range(600):
        state = client.get(f"/api/jobs/{job['id']}").json()
        if state["status"] in ("succeeded", "failed"):
            break
        time.sleep(0.05)
    assert state["status"] == "succeeded", state["error"]
    return 1


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/datasets/1/setup",
        "/projects/1",
        "/projects/1/review",
        "/projects/1/wizard",
        "/projects/1/analytics",
        "/projects/1/export",
        "/projects/1/models",
        "/projects/1/consensus",
    ],
    ids=[
        "home",
        "setup",
        "overview",
        "review",
        "wizard",
        "analytics",
        "export",
        "models",
        "consensus",
    ],
)
def test_pages_are_html_shells_with_a_strict_csp(client: TestClient, path: str) -> None:
    res = client.get(path)
    assert res.status_code == 200
    assert res.headers["content-type"].startswith("text/html")
    csp = res.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-eval" not in csp
    assert '<script type="module" src="/static/' in res.text
    assert "http://" not in res.text and "https://" not in res.text  # nothing from a CDN


def test_unknown_section_is_a_404_naming_the_pages(client: TestClient) -> None:
    res = client.get("/projects/1/nowhere")
    assert res.status_code == 404
    assert "there is no page 'nowhere'" in res.json()["error"]


def test_every_asset_a_page_names_is_served(client: TestClient) -> None:
    static = Path(__file__).resolve().parents[2] / "src/goldlabel/server/static"
    for asset in sorted(static.iterdir()):
        res = client.get(f"/static/{asset.name}")
        assert res.status_code == 200, asset.name
    js = client.get("/vendor/plotly.min.js")
    assert js.status_code == 200
    assert js.headers["content-type"].startswith("text/javascript")
    assert len(js.content) > 1_000_000


def test_preview_lists_the_label_values(client: TestClient) -> None:
    preview = client.get("/ui-api/datasets/1/preview").json()
    assert preview["label_column"] == "label"
    values = {v["value"]: v["count"] for v in preview["label_values"]}
    assert sum(values.values()) == 240 and None in values
    assert len(preview["sample"]) == 8


def test_preview_refuses_an_unknown_label_column(client: TestClient) -> None:
    res = client.get("/ui-api/datasets/1/preview", params={"label_column": "nope"})
    assert res.status_code == 400
    assert "label_column 'nope' is not a column of dataset 1" in res.json()["error"]


def test_probabilities_are_sorted_and_sum_to_one(client: TestClient, analysed: int) -> None:
    res = client.get(
        f"/ui-api/projects/{analysed}/probabilities", params={"row_id": [0, 1, 2], "top": 9}
    ).json()
    assert set(res["rows"]) == {"0", "1", "2"}
    for top in res["rows"].values():
        probs = [p for _, p in top]
        assert probs == sorted(probs, reverse=True)
        assert abs(sum(probs) - 1) < 1e-3
        assert len(top) == 4


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"row_id": list(range(1001))}, "at most 1000 rows"),
        ({"row_id": [0], "top": 0}, "1 <= top <= 100"),
    ],
    ids=["too-many-rows", "bad-top"],
)
def test_probabilities_refuse_bad_requests(
    client: TestClient, params: dict[str, Any], match: str
) -> None:
    res = client.get("/ui-api/projects/1/probabilities", params=params)
    assert res.status_code == 400
    assert match in res.json()["error"]


def test_histogram_counts_every_unlabeled_row(client: TestClient, analysed: int) -> None:
    hist = client.get(f"/ui-api/projects/{analysed}/confidence-histogram").json()
    unlabeled = client.get("/api/projects/1").json()["counts"]["unlabeled"]
    assert sum(hist["counts"]) == unlabeled
    assert len(hist["edges"]) == 41


def test_histogram_refuses_bad_bins(client: TestClient) -> None:
    res = client.get("/ui-api/projects/1/confidence-histogram", params={"bins": 1})
    assert res.status_code == 400
    assert "bins must be in [2, 200]; got 1" in res.json()["error"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"kind": "exclude", "row_ids": [0, 1, 2]}, 3),
        ({"kind": "keep", "filter": {"unlabeled": True}}, 0),
        ({"kind": "autofix", "filter": {"status": ["unlabeled"]}}, "unlabeled"),
    ],
    ids=["ids", "keep-needs-given", "autofix-filter"],
)
def test_count_says_how_many_rows_would_change(
    client: TestClient, analysed: int, body: dict[str, Any], expected: Any
) -> None:
    if expected == "unlabeled":
        expected = client.get("/api/projects/1").json()["counts"]["unlabeled"]
    res = client.post(f"/ui-api/projects/{analysed}/count", json=body)
    assert res.status_code == 200, res.text
    assert res.json()["n_rows"] == expected


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ({"kind": "explode", "row_ids": [0]}, "kind must be one of"),
        ({"kind": "exclude"}, "pass exactly one of row_ids and filter"),
        (
            {"kind": "exclude", "row_ids": [0], "filter": {}},
            "pass exactly one of row_ids and filter",
        ),
    ],
    ids=["bad-kind", "neither", "both"],
)
def test_count_refuses_bad_requests(client: TestClient, body: dict[str, Any], match: str) -> None:
    res = client.post("/ui-api/projects/1/count", json=body)
    assert res.status_code == 400
    assert match in res.json()["error"]


def test_analytics_adds_up(client: TestClient, analysed: int) -> None:
    a = client.get(f"/ui-api/projects/{analysed}/analytics").json()
    project = client.get("/api/projects/1").json()
    assert a["n_rows"] == project["n_rows"] == 240
    assert a["counts"] == project["counts"]
    flagged = client.get("/api/projects/1/rows", params={"issue": "label", "limit": 1}).json()
    assert a["issues_by_type"]["label"] == flagged["total"]
    assert sum(c.get("label", 0) for c in a["issues_by_class"].values()) == flagged["total"]
    assert a["label_health_score"] == pytest.approx(1 - flagged["total"] / a["n_labeled"])
    assert sum(p["n_rows"] for p in a["progress"]) == a["n_labeled"]
    pairs = sum(p["n_rows"] for p in a["overlapping_classes"])
    assert pairs == a["disagreements"]


def test_ui_api_404s_on_a_missing_project(client: TestClient) -> None:
    res = client.get("/ui-api/projects/99/analytics")
    assert res.status_code == 404
    assert "project 99 does not exist" in res.json()["error"]
