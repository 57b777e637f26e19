"""User data never runs and always shows as text: <script>, raw HTML and event handlers put into a
dataset's values, column names, class names, file name and project name are inert on every page."""

from __future__ import annotations

import io
import time
from typing import Any

import httpx
import pandas as pd
import pytest

from tests.browser.conftest import Studio

pytestmark = pytest.mark.browser

PAYLOADS = [
    "<script>window.__pwned = 1</script>hello",
    '<img src=x onerror="window.__pwned = 2">',
    '<a href="javascript:window.__pwned = 3">click</a>',
    "<b>bold</b> & {{7*7}} ${1+1}",
]
CLASSES = ["<script>window.__pwned = 4</script>", "<b>bold</b>", 'plain & "quoted"']
WORDS = [
    "alpha apple apricot avocado",
    "beta banana blueberry blackberry",
    "gamma grape guava gooseberry",
]
FLIPPED = {3, 7, 11, 16, 20, 25}
EVIL_NAME = '<svg onload="window.__pwned = 5">'
INERT = """() => ({
    pwned: window.__pwned === undefined ? null : window.__pwned,
    injected: document.querySelectorAll(
        'main img[src="x"], main svg[onload], main a[href^="javascript"], main b, main script'
    ).length,
})"""


def _make_frame() -> pd.DataFrame:
    rows = []
    for i in range(60):
        k = i % 3
        rows.append(
            {
                "text": f"{PAYLOADS[i % len(PAYLOADS)]} {WORDS[k]} {i}",
                "<i>odd column</i>": f"<u>{i}</u>",
                "label": CLASSES[(k + 1) % 3 if i in FLIPPED else k] if i < 45 else None,
            }
        )
    return pd.DataFrame(rows)


def _wait(api: httpx.Client, job_id: int) -> dict[str, Any]:
    for _ in range(600):
        job = api.get(f"/api/jobs/{job_id}").json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish")


def _assert_inert(page: Any) -> None:
    assert page.evaluate(INERT) == {"pwned": None, "injected": 0}


def test_scripts_and_html_in_a_dataset_show_as_text(studio: Studio, page: Any) -> None:
    api = httpx.Client(base_url=studio.url, timeout=30)
    body = _make_frame().to_csv(index=False).encode()
    dataset = api.post(
        "/api/datasets",
        files={"file": (f"{EVIL_NAME}.csv", io.BytesIO(body), "text/csv")},
        data={"column_roles": '{"text": "text", "label": "label", "<i>odd column</i>": "feature"}'},
    )
    assert dataset.status_code == 201, dataset.text
    project = api.post(
        "/api/projects",
        json={
            "dataset_id": dataset.json()["id"],
            "name": EVIL_NAME,
            "classes": CLASSES,
            "instructions": PAYLOADS[0],
        },
    )
    assert project.status_code == 201, project.text
    pid = project.json()["id"]
    job = _wait(api, api.post(f"/api/projects/{pid}/analyses").json()["id"])
    assert job["status"] == "succeeded", job["error"]

    page.goto(studio.url + "/")
    page.wait_for_selector("#projects tbody tr")
    page.wait_for_selector("#datasets tbody tr")
    assert page.text_content("#projects tbody tr td a") == EVIL_NAME
    assert "<i>odd column</i>" in page.text_content("#datasets tbody")
    _assert_inert(page)

    page.goto(f"{studio.url}/datasets/{dataset.json()['id']}/setup")
    page.wait_for_function("() => document.getElementById('classes').value.length > 0")
    assert sorted(page.input_value("#classes").split("\n")) == sorted(CLASSES)
    assert page.text_content("#dataset-name") == dataset.json()["name"]
    assert dataset.json()["name"].startswith("<svg onload=")
    _assert_inert(page)

    page.goto(f"{studio.url}/projects/{pid}")
    page.wait_for_function("() => document.getElementById('project-title').textContent.length > 0")
    assert page.text_content("#project-title") == EVIL_NAME
    assert page.text_content("#project-name") == EVIL_NAME
    _assert_inert(page)

    page.evaluate("name => localStorage.setItem('goldlabel.user', name)", EVIL_NAME)
    page.goto(f"{studio.url}/projects/{pid}/review")
    page.wait_for_selector("#resolver-body[data-row-id='0']")
    page.wait_for_selector("#r-top li .prob:not(:empty)")
    for i, payload in enumerate(PAYLOADS):
        page.wait_for_function(
            "i => document.getElementById('resolver-body').dataset.rowId === String(i)", arg=i
        )
        assert page.text_content("#r-text p").startswith(payload)
        assert page.text_content(f"#rows tbody tr[data-row-id='{i}'] td.content").startswith(
            payload
        )
        assert page.text_content("#r-values tbody").startswith(f"<i>odd column</i><u>{i}</u>label")
        page.keyboard.press("j")
    assert set(
        page.eval_on_selector_all("#r-top li", "els => els.map(e => e.dataset.label)")
    ) == set(CLASSES)
    # labeling with a class whose name is a script stores the name, and shows it as text
    page.keyboard.press("k")
    row = int(page.get_attribute("#resolver-body", "data-row-id"))
    script_class = page.get_attribute("#r-top li[data-key='1']", "data-label")
    page.keyboard.press("1")
    page.wait_for_function(
        "r => document.getElementById('resolver-body').dataset.rowId !== String(r)", arg=row
    )
    page.wait_for_selector("#save-state[data-pending='0']")
    stored = api.get(f"/api/projects/{pid}/rows/{row}").json()
    assert stored["label"] == script_class and stored["source"] == "human"
    page.wait_for_function(
        "([r, c]) => document.querySelector(`#rows tbody tr[data-row-id='${r}'] td.lbl`).textContent === c",
        arg=[row, script_class],
    )
    page.fill("#filters input[name=search]", "<script>")
    page.click("#filters button[type=submit]")
    page.wait_for_function(
        "() => document.getElementById('page-info').textContent.includes('of 15')"
    )
    _assert_inert(page)

    for section, ready in [
        ("wizard", "#histogram .main-svg"),
        ("analytics", "#chart-classes .main-svg"),
        ("export", "#export-summary:not(:empty)"),
        ("models", "#models"),
    ]:
        page.goto(f"{studio.url}/projects/{pid}/{section}")
        page.wait_for_selector(ready)
        page.wait_for_function(
            "() => document.getElementById('project-name').textContent.length > 1"
        )
        _assert_inert(page)
    page.goto(f"{studio.url}/projects/{pid}/analytics")
    page.wait_for_selector("#chart-classes .xtick")
    ticks = page.eval_on_selector_all(
        "#chart-classes .xtick text", "els => els.map(e => e.textContent)"
    )
    by_class = api.get(f"/ui-api/projects/{pid}/analytics").json()["issues_by_class"]
    assert ticks == sorted(by_class) and set(ticks) & set(CLASSES)
    people = page.eval_on_selector_all(
        "#chart-person .xtick text", "els => els.map(e => e.textContent)"
    )
    assert EVIL_NAME in people
    _assert_inert(page)
    assert page.js_errors == []
