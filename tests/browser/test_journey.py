"""The whole studio journey in a real browser: upload, confirm the schema, analysis, auto-labeling
wizard, 20+ rows labeled by keyboard alone, a batch fix, an undo, export (checked by reading the file),
analytics and the model page. Takes a screenshot of every page (into docs/screenshots/ under
``make screenshots``)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest

from goldlabel.service.demo import NEWS_CLASSES, generate_news_frame
from tests.browser.conftest import Studio, screenshot

pytestmark = pytest.mark.browser

N_ROWS = 400


def _resolver_row(page: Any) -> int:
    return int(page.get_attribute("#resolver-body", "data-row-id"))


def _press_and_wait(page: Any, key: str) -> None:
    """Press a key on the current row and wait until the next row is open."""
    before = _resolver_row(page)
    page.keyboard.press(key)
    page.wait_for_function(
        "b => document.getElementById('resolver-body').dataset.rowId !== String(b)", arg=before
    )


def _wait_job_done(page: Any, selector: str, text: str) -> None:
    page.wait_for_function(
        "([s, t]) => document.querySelector(s).textContent.includes(t)",
        arg=[selector, text],
        timeout=60_000,
    )


def test_upload_wizard_keyboard_batch_undo_export(
    studio: Studio, page: Any, tmp_path: Path
) -> None:
    frame, _ = generate_news_frame(N_ROWS, labeled_fraction=0.3, noise=0.05, random_state=3)
    source = tmp_path / "news.csv"
    frame.to_csv(source, index=False)
    api = httpx.Client(base_url=studio.url, timeout=30)

    # upload -> confirm the inferred schema
    page.goto(studio.url + "/")
    page.set_input_files("#upload-file", str(source))
    page.wait_for_url("**/datasets/*/setup")
    page.wait_for_function("() => document.getElementById('classes').value.length > 0")
    roles = {
        s.get_attribute("data-column"): s.input_value()
        for s in page.query_selector_all("#columns select")
    }
    assert roles == {"id": "id", "title": "text", "description": "text", "label": "label"}
    assert page.input_value("#classes").split("\n") == sorted(NEWS_CLASSES)
    screenshot(page, "setup")
    page.click("#create-project")

    # the project page follows the analysis
    page.wait_for_url("**/projects/*")
    pid = int(page.url.rstrip("/").split("/")[-1])
    page.wait_for_selector("#job-box[data-status=succeeded]", timeout=60_000)
    page.wait_for_selector("#next-step:not([hidden])")
    assert "wizard" in page.get_attribute("#next-step", "href")
    screenshot(page, "project")

    # wizard step 1: the proposal, then label everything above the threshold
    page.goto(f"{studio.url}/projects/{pid}/wizard")
    for target in ("0.90", "0.85", "0.80", "0.75", "0.70"):
        page.eval_on_selector(
            "#target", "(el, t) => { el.value = t; el.dispatchEvent(new Event('input')); }", target
        )
        page.wait_for_function(
            "t => document.getElementById('promise').textContent.includes(t)", arg=target
        )
        if page.text_content("#promise").startswith("Proposed"):
            break
    else:
        pytest.fail(f"no target accuracy gave a proposal: {page.text_content('#promise')}")
    proposed = int(page.text_content("#n-above"))
    assert proposed > 0
    # moving the threshold above the proposal keeps the promise; back to the proposal to apply it
    page.eval_on_selector(
        "#threshold", "el => { el.value = '0.999'; el.dispatchEvent(new Event('input')); }"
    )
    page.wait_for_function(
        "() => /Stricter|no accuracy/.test(document.getElementById('promise').textContent + "
        "document.getElementById('wizard-warning').textContent)"
    )
    page.wait_for_function(
        "n => document.getElementById('n-above').textContent !== String(n)", arg=proposed
    )
    assert int(page.text_content("#n-above")) < proposed
    page.click("#reset-threshold")
    page.wait_for_function(
        "() => document.getElementById('promise').textContent.startsWith('Proposed')"
    )
    assert int(page.text_content("#n-above")) == proposed
    page.wait_for_selector("#above tbody tr")
    page.wait_for_selector("#histogram .main-svg")
    screenshot(page, "wizard")
    page.click("#apply-autolabel")
    page.wait_for_function(
        "() => document.getElementById('applied').textContent.includes('Labeled')"
    )
    n_auto = api.get(f"/api/projects/{pid}/rows", params={"source": "auto", "limit": 1}).json()
    assert n_auto["total"] == proposed
    # step 2: the least confident rows, then retrain
    left = api.get(f"/api/projects/{pid}/rows", params={"status": "unlabeled", "limit": 1}).json()
    page.wait_for_function(
        "n => document.querySelectorAll('#informative tbody tr').length === n",
        arg=min(10, left["total"]),
    )
    page.click("#retrain")
    _wait_job_done(page, "#retrain-status", "retrained")

    # review: label 22 rows with the keyboard alone, exclude one, flag one for review
    page.goto(f"{studio.url}/projects/{pid}/review")
    page.wait_for_selector("#resolver-body[data-row-id]")
    page.wait_for_selector("#r-top li .prob:not(:empty)")
    first = _resolver_row(page)
    page.keyboard.press("j")
    page.wait_for_function(
        "f => document.getElementById('resolver-body').dataset.rowId !== String(f)", arg=first
    )
    page.keyboard.press("k")
    page.wait_for_function(
        "f => document.getElementById('resolver-body').dataset.rowId === String(f)", arg=first
    )
    page.keyboard.press("?")
    assert page.is_visible("#help")
    page.keyboard.press("Escape")
    expected: dict[int, str] = {}
    keys = [
        "1",
        "2",
        "w",
        "3",
        "1",
        "w",
        "4",
        "2",
        "1",
        "w",
        "1",
        "2",
        "w",
        "1",
        "3",
        "w",
        "1",
        "2",
        "w",
        "1",
        "1",
        "2",
    ]
    for key in keys:
        row = _resolver_row(page)
        page.wait_for_function(
            "r => document.getElementById('resolver-body').dataset.rowId === String(r) && "
            "document.querySelector('#r-top li .prob') && document.querySelector('#r-top li .prob').textContent !== ''",
            arg=row,
        )
        if key == "w":
            label = page.text_content("#r-suggested")
        else:
            label = page.get_attribute(f"#r-top li[data-key='{key}']", "data-label")
        expected[row] = label
        _press_and_wait(page, key)
    excluded = _resolver_row(page)
    _press_and_wait(page, "e")
    flagged = _resolver_row(page)
    _press_and_wait(page, "n")
    assert len(expected) == 22
    page.wait_for_selector("#save-state[data-pending='0']")
    saved = api.get(f"/api/projects/{pid}/rows", params={"row_id": list(expected)}).json()["rows"]
    assert {r["row_id"]: r["label"] for r in saved} == expected
    screenshot(page, "review")

    # a batch fix on a shift-click selection, with the confirmation's count
    rows = page.query_selector_all("#rows tbody tr")
    batch_ids = [int(r.get_attribute("data-row-id")) for r in rows[30:35]]
    before = {
        r["row_id"]: (r["label"], r["source"])
        for r in api.get(f"/api/projects/{pid}/rows", params={"row_id": batch_ids}).json()["rows"]
    }
    rows[30].query_selector("input.pick").click()
    page.click(f"#rows tbody tr[data-row-id='{batch_ids[-1]}'] td.num", modifiers=["Shift"])
    assert page.text_content("#selection-info") == "5 selected"
    page.click("button[data-batch=autofix]")
    page.wait_for_selector("#confirm[open]")
    assert "5 rows will change" in page.text_content("#confirm-text")
    page.click("#confirm-ok")
    page.wait_for_function(
        "() => document.getElementById('toast').textContent.includes('5 rows changed')"
    )
    fixed = api.get(f"/api/projects/{pid}/rows", params={"row_id": batch_ids}).json()["rows"]
    assert {r["source"] for r in fixed} == {"auto"}

    # undo (Z) restores the five rows
    page.keyboard.press("z")
    page.wait_for_function(
        "() => document.getElementById('toast').textContent.includes('Undone: 5 row')"
    )
    restored = api.get(f"/api/projects/{pid}/rows", params={"row_id": batch_ids}).json()["rows"]
    assert {r["row_id"]: (r["label"], r["source"]) for r in restored} == before

    # export: the file holds exactly what was done
    page.goto(f"{studio.url}/projects/{pid}/export")
    page.check("input[name=format][value=csv]")
    screenshot(page, "export")
    with page.expect_download() as download:
        page.click("#download")
    out = pd.read_csv(io.BytesIO(Path(download.value.path()).read_bytes()))
    by_id = out.set_index("id")
    ids = {r: int(frame.loc[r, "id"]) for r in [*expected, excluded, flagged]}
    for row_id, label in expected.items():
        assert by_id.loc[ids[row_id], "label"] == label
        assert by_id.loc[ids[row_id], "label_source"] in ("human", "auto")
    assert ids[excluded] not in by_id.index
    assert len(out) == N_ROWS - 1
    assert by_id.loc[ids[flagged], "label_status"] == "needs_review"
    assert (out["label_source"] == "auto").sum() >= proposed - len(expected) - 5
    assert {"is_label_issue", "label_issue_score", "suggested_label"} <= set(out.columns)

    # analytics: charts render and a bar opens the filtered table
    page.goto(f"{studio.url}/projects/{pid}/analytics")
    page.wait_for_selector("#chart-types .main-svg")
    page.wait_for_selector("#chart-source .main-svg")
    screenshot(page, "analytics")
    page.click("#chart-types .point path >> nth=0", force=True)
    page.wait_for_url("**/review?issue=label")
    page.wait_for_selector("#rows tbody tr")
    # ... and a person's bar opens the rows that person labeled
    page.goto(f"{studio.url}/projects/{pid}/analytics")
    page.wait_for_selector("#chart-person .main-svg")
    page.click("#chart-person .point path >> nth=0", force=True)
    page.wait_for_url("**/review?updated_by=*")
    page.wait_for_selector("#rows tbody tr")
    assert page.input_value("#filters [name=updated_by]") != ""

    # model page: train, deploy, predict a dropped file
    page.goto(f"{studio.url}/projects/{pid}/models")
    page.click("#train")
    _wait_job_done(page, "#train-status", "trained model")
    page.click("#models button.deploy")
    page.wait_for_selector("#models .badge.labeled")
    predict = tmp_path / "predict.csv"
    frame.drop(columns=["label"]).head(5).to_csv(predict, index=False)
    page.set_input_files("#predict-file", str(predict))
    page.wait_for_function("() => document.querySelectorAll('#predictions tbody tr').length === 5")
    assert page.text_content("#predictions tbody tr td:nth-child(3)") in NEWS_CLASSES
    screenshot(page, "models")

    page.goto(studio.url + "/")
    page.wait_for_selector("#projects tbody tr")
    screenshot(page, "home")
    assert page.js_errors == []
