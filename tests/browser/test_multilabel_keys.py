"""Keys 1–9 in a multi-label project's review table: each toggles one class in the row's set and the
row stays open; taking out the last class leaves the row unlabeled."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest

from goldlabel.service.importing import import_dataset
from goldlabel.service.projects import create_project
from goldlabel.store import open_database
from tests.browser.conftest import Studio, start_studio

pytestmark = pytest.mark.browser

CLASSES = ["red", "green", "blue"]


@pytest.fixture(scope="module")
def multilabel(tmp_path_factory: pytest.TempPathFactory, chromium_path: str) -> Iterator[Studio]:
    db = open_database(data_dir=Path(tmp_path_factory.mktemp("multilabel")) / "data")
    frame = pd.DataFrame(
        {
            "text": [f"item {i}" for i in range(6)],
            "tags": ["red", "red;blue", None, "green", None, "blue"],
        }
    )
    with db.write() as session:
        ds = import_dataset(session, frame.to_csv(index=False).encode(), filename="tags.csv")
        create_project(
            session,
            ds.id,
            name="tags",
            task="multilabel",
            classes=CLASSES,
            text_columns=["text"],
            label_column="tags",
        )
    running, server, thread = start_studio(db)
    yield running
    server.should_exit = True
    thread.join(timeout=10)
    db.dispose()


def _label(api: httpx.Client, row_id: int) -> Any:
    return api.get(f"/api/projects/1/rows/{row_id}").json()["label"]


def test_number_keys_toggle_classes_and_stay_on_the_row(multilabel: Studio, page: Any) -> None:
    api = httpx.Client(base_url=multilabel.url, timeout=30)
    page.goto(f"{multilabel.url}/projects/1/review")
    page.wait_for_selector("#resolver-body[data-row-id]")
    row = int(page.get_attribute("#resolver-body", "data-row-id"))
    before = _label(api, row)
    assert before == ["red"]
    for key, expected in [("3", ["red", "blue"]), ("1", ["blue"]), ("2", ["green", "blue"])]:
        page.keyboard.press(key)
        page.wait_for_selector("#save-state[data-pending='0']")
        assert _label(api, row) == expected
        assert page.get_attribute("#resolver-body", "data-row-id") == str(row)
    # taking out every class leaves the row unlabeled
    page.keyboard.press("2")
    page.keyboard.press("3")
    page.wait_for_selector("#save-state[data-pending='0']")
    page.wait_for_function(
        "r => document.querySelector(`#rows tbody tr[data-row-id='${r}']`) !== null", arg=row
    )
    assert _label(api, row) is None
    assert api.get(f"/api/projects/1/rows/{row}").json()["status"] == "unlabeled"
    assert page.js_errors == []


def test_in_annotation_mode_keys_toggle_my_own_set(multilabel: Studio, page: Any) -> None:
    api = httpx.Client(base_url=multilabel.url, timeout=30)
    page.goto(f"{multilabel.url}/projects/1/review")
    page.wait_for_selector("#resolver-body[data-row-id]")
    page.check("#annotate-mode")
    row = int(page.get_attribute("#resolver-body", "data-row-id"))
    label = _label(api, row)

    def mine() -> Any:
        got = api.get("/api/projects/1/annotations", params={"row_id": row}).json()
        return [a["label"] for a in got if a["annotator"] == "local"]

    for key, expected in [("3", [["blue"]]), ("1", [["red", "blue"]]), ("3", [["red"]])]:
        page.keyboard.press(key)
        page.wait_for_selector("#save-state[data-pending='0']")
        assert mine() == expected
        assert page.get_attribute("#resolver-body", "data-row-id") == str(row)
    page.keyboard.press("1")  # the last class out: the annotation is taken back
    page.wait_for_selector("#save-state[data-pending='0']")
    assert mine() == []
    assert _label(api, row) == label  # the row's own label never moved
    page.uncheck("#annotate-mode")
    assert page.js_errors == []
