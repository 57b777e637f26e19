"""The annotators and consensus page in a real browser: annotators worst first with a chart, the rows
most doubtful first, the filters, and accepting the consensus above a quality as logged labels."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from goldlabel.service.annotations import set_annotation
from goldlabel.service.demo import NEWS_CLASSES, generate_news_frame
from goldlabel.service.importing import import_dataset
from goldlabel.service.projects import create_project
from goldlabel.service.rows import list_rows
from goldlabel.store import open_database
from tests.browser.conftest import Studio, screenshot, start_studio
from tests.core.test_multiannotator import make_crowd

pytestmark = pytest.mark.browser

WHO = ["ana", "bob", "cy", "dee"]
N_ANNOTATED = 40


@pytest.fixture(scope="module")
def crowd(tmp_path_factory: pytest.TempPathFactory, chromium_path: str) -> Iterator[Studio]:
    db = open_database(data_dir=Path(tmp_path_factory.mktemp("crowd")) / "data")
    frame, _ = generate_news_frame(60, labeled_fraction=0.0, random_state=3)
    labels, _ = make_crowd(2, n=N_ANNOTATED, m=len(WHO), k=len(NEWS_CLASSES), missing=0.3)
    with db.write() as session:
        ds = import_dataset(session, frame.to_csv(index=False).encode(), filename="news.csv")
        pid = create_project(session, ds.id, name="news", classes=list(NEWS_CLASSES)).id
        rows = sorted(r["row_id"] for r in list_rows(session, pid, limit=N_ANNOTATED).rows)
        for i, row_id in enumerate(rows):
            for j, who in enumerate(WHO):
                if not np.isnan(labels[i, j]):
                    label = NEWS_CLASSES[int(labels[i, j])]
                    set_annotation(session, pid, row_id, annotator=who, label=label)
    running, server, thread = start_studio(db)
    yield running
    server.should_exit = True
    thread.join(timeout=10)
    db.dispose()


def test_consensus_page_shows_annotators_and_accepts_the_consensus(
    crowd: Studio, page: Any
) -> None:
    api = httpx.Client(base_url=crowd.url, timeout=30)
    expected = api.get("/api/projects/1/consensus").json()
    page.goto(f"{crowd.url}/projects/1/consensus")
    page.wait_for_selector("#annotators tbody tr")
    page.wait_for_selector("#chart-annotators .main-svg")
    shown = page.eval_on_selector_all(
        "#annotators tbody tr", "rs => rs.map(r => r.dataset.annotator)"
    )
    assert shown == [p["annotator"] for p in expected["annotators"]]  # worst first
    worst = expected["annotators"][0]["disagreements"][0]
    first_row = page.inner_text("#annotators tbody tr:first-child td.disagreements")
    assert first_row.startswith(f"{worst['gave']} → {worst['consensus']} ×{worst['rows']}")
    assert "CROWDLAB" in page.inner_text("#consensus-intro")
    alpha = expected["agreement"]["krippendorff_alpha"]
    assert f"{alpha:.3f}" in page.inner_text("#consensus-cards")
    worst = min(expected["agreement"]["per_class"].items(), key=lambda kv: kv[1])
    assert page.inner_text("#agreement-note").split("first: ")[1].startswith(worst[0])
    rows = page.eval_on_selector_all(
        "#consensus-rows tbody tr", "rs => rs.map(r => Number(r.dataset.rowId))"
    )
    assert len(rows) == N_ANNOTATED
    quality = {r["row_id"]: r["consensus_quality_score"] for r in expected["rows"]}
    assert [quality[r] for r in rows] == sorted(quality[r] for r in rows)  # most doubtful first
    page.select_option("#show", "disagree")
    disagree = [r for r in expected["rows"] if r["annotator_agreement"] < 1]
    page.wait_for_function(
        "n => document.querySelectorAll('#consensus-rows tbody tr').length === n",
        arg=len(disagree),
    )
    screenshot(page, "consensus")
    # accept the consensus of the rows at quality 0.5 or more
    page.eval_on_selector(
        "#min-quality", "e => { e.value = 0.5; e.dispatchEvent(new Event('input')); }"
    )
    sure = {
        r["row_id"]: r["consensus_label"]
        for r in expected["rows"]
        if r["consensus_quality_score"] >= 0.5
    }
    assert 0 < len(sure) < N_ANNOTATED
    assert f"labels {len(sure)} rows" in page.inner_text("#accept-note")
    page.click("#accept")
    page.wait_for_selector("#toast:not([hidden])")
    assert f"Labeled {len(sure)} rows" in page.inner_text("#toast")
    labeled = {
        r["row_id"]: r["label"]
        for r in api.get("/api/projects/1/rows", params={"status": "labeled", "limit": 100}).json()[
            "rows"
        ]
    }
    assert labeled == sure
    # the page now compares the consensus with the labels: accepted rows no longer differ
    page.select_option("#show", "differs")
    page.wait_for_function(
        "n => document.querySelectorAll('#consensus-rows tbody tr').length === n",
        arg=N_ANNOTATED - len(sure),
    )
    # a row's id opens it in the review table (the row filter), where its annotations are listed
    target = rows[0]
    page.select_option("#show", "all")
    page.click(f"#consensus-rows tbody tr[data-row-id='{target}'] a")
    page.wait_for_selector(f"#resolver-body[data-row-id='{target}']")
    assert page.eval_on_selector_all("#rows tbody tr", "rs => rs.length") == 1
    assert page.input_value("#filters input[name='row_id']") == str(target)
    page.wait_for_selector("#r-annotations-line:not([hidden])")
    assert page.inner_text("#r-annotations").count(":") == len(
        next(r for r in expected["rows"] if r["row_id"] == target)["labels"]
    )
    assert page.js_errors == []


def test_annotation_mode_records_my_labels_without_touching_the_rows(
    crowd: Studio, page: Any
) -> None:
    api = httpx.Client(base_url=crowd.url, timeout=30)
    page.goto(f"{crowd.url}/projects/1/review?not_annotated_by=fay")
    page.fill("#user-name", "fay")
    page.dispatch_event("#user-name", "change")
    page.wait_for_selector("#resolver-body[data-row-id]")
    page.check("#annotate-mode")
    page.wait_for_selector("#r-annotations-line:not([hidden])")
    first = int(page.get_attribute("#resolver-body", "data-row-id"))
    before = api.get(f"/api/projects/1/rows/{first}").json()
    expected = [page.get_attribute("#r-top li[data-key='1']", "data-label")]
    page.keyboard.press("1")
    page.wait_for_selector("#save-state[data-pending='0']")
    second = int(page.get_attribute("#resolver-body", "data-row-id"))
    assert second != first  # the next row opened
    expected.append(page.get_attribute("#r-top li[data-key='2']", "data-label"))
    page.keyboard.press("2")
    page.wait_for_selector("#save-state[data-pending='0']")

    def mine() -> dict[int, str]:
        got = api.get("/api/projects/1/annotations").json()
        return {a["row_id"]: a["label"] for a in got if a["annotator"] == "fay"}

    assert mine() == {first: expected[0], second: expected[1]}
    after = api.get(f"/api/projects/1/rows/{first}").json()
    assert (after["label"], after["version"]) == (before["label"], before["version"])
    # Z takes the last annotation back (and reopens that row); the rows view skips what fay did
    page.keyboard.press("z")
    page.wait_for_selector("#toast:not([hidden])")
    assert "taken back" in page.inner_text("#toast")
    assert mine() == {first: expected[0]}
    assert page.get_attribute("#resolver-body", "data-row-id") == str(second)
    assert "fay:" not in page.inner_text("#r-annotations")
    # the mode is remembered, and the filter leaves out the rows fay annotated
    page.reload()
    page.wait_for_selector("#resolver-body[data-row-id]")
    assert page.is_checked("#annotate-mode")
    shown = page.eval_on_selector_all(
        "#rows tbody tr", "rs => rs.map(r => Number(r.dataset.rowId))"
    )
    assert first not in shown and second in shown
    page.uncheck("#annotate-mode")
    assert page.js_errors == []


def test_importing_a_file_of_annotations(crowd: Studio, page: Any, tmp_path: Path) -> None:
    votes = tmp_path / "zed.csv"
    votes.write_text("row_id,annotator,label\n0,zed,World\n1,zed,Sports\n2,zed,Weather\n")
    page.goto(f"{crowd.url}/projects/1/consensus")
    page.wait_for_selector("#annotators tbody tr")
    page.set_input_files("#import-file", str(votes))
    page.wait_for_selector("#toast:not([hidden])")
    assert "Weather" in page.inner_text("#toast")  # all or nothing: nothing was imported
    assert "zed" not in page.inner_text("#annotators")
    votes.write_text("row_id,annotator,label\n0,zed,World\n1,zed,Sports\n")
    page.set_input_files("#import-file", str(votes))
    page.wait_for_selector("#annotators tbody tr[data-annotator='zed']")
    assert page.inner_text("#import-note").startswith(
        "imported 2 annotations of 2 rows by 1 annotator"
    )
    assert page.js_errors == []
