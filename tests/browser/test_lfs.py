"""The Rules page in a real browser: write a rule and see its coverage as you type, save it (user data
shown as text), apply the label model above a threshold after a confirmation, and undo."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from goldlabel.service.demo import create_demo_project
from goldlabel.store import open_database
from tests.browser.conftest import SCREENSHOTS, Studio, start_studio

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(tmp_path: Path, chromium_path: str) -> Iterator[Studio]:
    db = open_database(data_dir=tmp_path / "data")
    create_demo_project(db, n_rows=300)
    running, server, thread = start_studio(db)
    yield running
    server.should_exit = True
    thread.join(timeout=10)
    db.dispose()


def _weak_rows(api: httpx.Client) -> int:
    return int(api.get("/api/projects/1/rows", params={"source": "weak"}).json()["total"])


def test_write_a_rule_see_coverage_apply_and_undo(demo: Studio, page: Any) -> None:
    api = httpx.Client(base_url=demo.url, timeout=30)
    page.goto(f"{demo.url}/projects/1/rules")
    page.wait_for_selector("#lf-class option[value=Sports]", state="attached")
    assert page.get_attribute(".tabs a[data-tab=rules]", "class") == "active"

    # coverage appears as the rule is typed
    page.select_option("#lf-class", "Sports")
    page.fill("#lf-pattern", "team, coach, match")
    expected = api.post(
        "/api/projects/1/lfs/preview",
        json={"kind": "keyword", "label": "Sports", "keywords": ["team", "coach", "match"]},
    ).json()
    assert expected["n_covered"] > 0
    page.wait_for_function(
        "n => document.getElementById('stat-coverage').textContent.includes(`(${n} rows)`)",
        arg=expected["n_covered"],
    )
    assert page.locator("#lf-examples li mark").count() > 0

    # save it under a name that looks like markup: it is shown as text
    page.fill("#lf-name", "<b>sport</b>")
    page.click("#lf-save")
    page.wait_for_selector("#lf-table tbody tr")
    assert page.text_content("#lf-table tbody tr td:nth-child(2)") == "<b>sport</b>"
    assert page.locator("#lf-table b").count() == 0

    # a second rule, a regex
    page.select_option("#lf-kind", "regex")
    page.select_option("#lf-class", "Business")
    page.fill("#lf-pattern", r"\b(shares|profit|market)\b")
    page.wait_for_function(
        "() => document.getElementById('stat-coverage').textContent.includes('rows')"
    )
    page.click("#lf-save")
    page.wait_for_function("() => document.querySelectorAll('#lf-table tbody tr').length === 2")

    # a draft being typed, for the screenshot
    page.select_option("#lf-kind", "keyword")
    page.select_option("#lf-class", "Sci/Tech")
    page.fill("#lf-pattern", "software, internet, computer")
    page.wait_for_function(
        "() => document.getElementById('stat-coverage').textContent.includes('rows')"
    )

    # apply the label model above a threshold, after a confirmation naming the row count
    proposal = api.get("/api/projects/1/lfs/proposal", params={"threshold": 0.4}).json()
    assert proposal["n_to_label"] > 0
    page.eval_on_selector(
        "#weak-threshold",
        "el => { el.value = '0.4'; el.dispatchEvent(new Event('input', {bubbles: true})); }",
    )
    page.wait_for_function(
        "n => document.getElementById('weak-n').textContent === String(n)",
        arg=proposal["n_to_label"],
    )
    page.eval_on_selector("#toast", "el => { el.hidden = true; }")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "rules.png"), full_page=True)
    page.click("#weak-apply")
    page.wait_for_selector("#confirm-apply[open]")
    assert f"Label {proposal['n_to_label']} unlabeled rows" in page.text_content("#confirm-text")
    page.click("#confirm-ok")
    page.wait_for_function(
        "n => document.getElementById('weak-applied').textContent.startsWith(`Labeled ${n} rows`)",
        arg=proposal["n_to_label"],
    )
    assert _weak_rows(api) == proposal["n_to_label"]
    log = api.get("/api/projects/1/actions").json()
    assert log[0]["kind"] == "weak" and log[0]["n_rows"] == proposal["n_to_label"]

    # undo
    page.click("#weak-undo")
    page.wait_for_function(
        "() => document.getElementById('weak-applied').textContent.startsWith('Undone')"
    )
    assert _weak_rows(api) == 0
    assert page.js_errors == []
