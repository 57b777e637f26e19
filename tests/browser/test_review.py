"""The review table in a real browser: filters and sort from the address, a 409 conflict, batch
actions on every matching row and on the top K, and "Improve results"."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from goldlabel.service.demo import create_demo_project
from goldlabel.store import open_database
from tests.browser.conftest import Studio, start_studio

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, chromium_path: str) -> Iterator[Studio]:
    db = open_database(data_dir=Path(tmp_path_factory.mktemp("review")) / "data")
    create_demo_project(db, n_rows=300)
    running, server, thread = start_studio(db)
    api = httpx.Client(base_url=running.url, timeout=30)
    job = api.post("/api/projects/1/analyses").json()
    for _ in range(600):
        if api.get(f"/api/jobs/{job['id']}").json()["status"] in ("succeeded", "failed"):
            break
        time.sleep(0.1)
    yield running
    server.should_exit = True
    thread.join(timeout=10)
    db.dispose()


def _rows(api: httpx.Client, **params: Any) -> dict[str, Any]:
    return api.get("/api/projects/1/rows", params={"limit": 1000, **params}).json()


def test_filter_and_sort_come_from_the_address(demo: Studio, page: Any) -> None:
    api = httpx.Client(base_url=demo.url)
    expected = _rows(api, status="labeled", sort="label_issue_score", order="desc", limit=50)
    page.goto(f"{demo.url}/projects/1/review?status=labeled&sort=label_issue_score&order=desc")
    page.wait_for_selector("#rows tbody tr")
    shown = page.eval_on_selector_all(
        "#rows tbody tr", "els => els.map(e => Number(e.dataset.rowId))"
    )
    assert shown == [r["row_id"] for r in expected["rows"]]
    assert page.input_value("#filters select[name=status]") == "labeled"
    assert page.get_attribute("th[data-sort=label_issue_score]", "data-order") == "desc"
    # clicking a heading sorts by it and writes the address
    page.click("th[data-sort=suggested_label_confidence]")
    page.wait_for_url("**sort=suggested_label_confidence**")
    confidences = [
        float(t)
        for t in page.eval_on_selector_all(
            "#rows tbody tr td:nth-child(7)", "els => els.map(e => e.textContent)"
        )
    ]
    assert confidences == sorted(confidences, reverse=True)
    # the filter bar
    page.select_option("#filters select[name=status]", "unlabeled")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**status=unlabeled**")
    total = _rows(api, status="unlabeled", limit=1)["total"]
    page.wait_for_function(
        "t => document.getElementById('page-info').textContent.endsWith('of ' + t)",
        arg=f"{total:,}",
    )


def test_a_row_changed_meanwhile_is_reloaded_not_overwritten(demo: Studio, page: Any) -> None:
    api = httpx.Client(base_url=demo.url)
    page.goto(f"{demo.url}/projects/1/review?status=unlabeled")
    page.wait_for_selector("#resolver-body[data-row-id]")
    row = int(page.get_attribute("#resolver-body", "data-row-id"))
    theirs = api.post(
        "/api/projects/1/actions",
        json={"kind": "label", "row_ids": [row], "label": "World"},
        headers={"X-Goldlabel-User": "someone-else"},
    )
    assert theirs.status_code == 200
    page.keyboard.press("2")
    page.wait_for_function(
        "() => document.getElementById('toast').textContent.includes('changed row')"
    )
    page.wait_for_selector("#save-state[data-pending='0']")
    now = api.get(f"/api/projects/1/rows/{row}").json()
    assert now["label"] == "World" and now["updated_by"] == "someone-else"
    cell = page.text_content(f"#rows tbody tr[data-row-id='{row}'] td.lbl")
    assert cell == "World"


@pytest.mark.parametrize("target", ["matching", "topk"], ids=["all-matching", "top-k"])
def test_batch_on_every_matching_row_or_the_top_k(demo: Studio, page: Any, target: str) -> None:
    api = httpx.Client(base_url=demo.url)
    page.goto(f"{demo.url}/projects/1/review?status=unlabeled&sort=suggested_label_confidence")
    page.wait_for_selector("#rows tbody tr")
    n_unlabeled = _rows(api, status="unlabeled", limit=1)["total"]
    if target == "matching":
        page.click("#select-matching")
        assert page.text_content("#selection-info") == f"all {n_unlabeled:,} matching rows selected"
        expected = n_unlabeled
    else:
        page.fill("#top-k", "7")
        page.select_option("#batch-target", "topk")
        expected = 7
    lowest = _rows(api, status="unlabeled", sort="suggested_label_confidence", limit=7)["rows"]
    page.click("button[data-batch=needs_review]")
    page.wait_for_selector("#confirm[open]")
    assert f"{expected} rows will change" in page.text_content("#confirm-text")
    page.click("#confirm-ok")
    page.wait_for_function(
        "n => document.getElementById('toast').textContent.includes(n + ' rows changed')",
        arg=str(expected),
    )
    flagged = _rows(api, status="needs_review")
    assert flagged["total"] == expected
    if target == "topk":
        assert {r["row_id"] for r in flagged["rows"]} == {r["row_id"] for r in lowest}
    page.click("#toast button")  # Undo
    page.wait_for_function(
        "n => document.getElementById('toast').textContent.includes('Undone: ' + n)",
        arg=str(expected),
    )
    assert _rows(api, status="needs_review", limit=1)["total"] == 0


def test_improve_results_retrains_and_reloads(demo: Studio, page: Any) -> None:
    api = httpx.Client(base_url=demo.url)
    before = api.get("/api/projects/1").json()["current_analysis_id"]
    page.goto(f"{demo.url}/projects/1/review")
    page.wait_for_selector("#rows tbody tr")
    page.click("#improve")
    page.wait_for_function(
        "() => document.getElementById('job-info').textContent.includes('retrained')",
        timeout=60_000,
    )
    assert api.get("/api/projects/1").json()["current_analysis_id"] != before
    assert page.js_errors == []


def test_tag_a_selection_then_filter_by_the_tag(demo: Studio, page: Any) -> None:
    api = httpx.Client(base_url=demo.url)
    page.goto(f"{demo.url}/projects/1/review")
    page.wait_for_selector("#rows tbody tr")
    for row in (2, 3, 4):
        page.click(f"#rows tbody tr[data-row-id='{row}'] input.pick")
    assert page.text_content("#selection-info") == "3 selected"
    page.fill("#batch-tag", "check me")
    page.click("#batch-tag-add")
    page.wait_for_selector("#confirm[open]")
    assert "Tag with “check me”" in page.text_content("#confirm-text")
    assert "3 rows will change" in page.text_content("#confirm-text")
    page.click("#confirm-ok")
    page.wait_for_function(
        "() => document.getElementById('toast').textContent.includes('3 rows changed')"
    )
    tagged = _rows(api, tag="check me")
    assert [r["row_id"] for r in tagged["rows"]] == [2, 3, 4]
    assert page.text_content("#rows tbody tr[data-row-id='3'] .chip") == "check me"
    page.fill("#filters input[name=tag]", "check me")
    page.click("#filters button[type=submit]")
    page.wait_for_function("() => document.querySelectorAll('#rows tbody tr').length === 3")
