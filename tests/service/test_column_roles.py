from __future__ import annotations

import pandas as pd
import pytest

from goldlabel.exceptions import DataValidationError, InvalidOptionError
from goldlabel.service.column_roles import infer_column_roles, merge_column_roles


def test_roles_are_inferred_by_name_and_content() -> None:
    frame = pd.DataFrame(
        {
            "uid": ["a", "b", "c"],
            "body": ["short", "tiny", "wee"],
            "photo": ["x/1.png", "x/2.jpg", "y/3.jpeg"],
            "notes": ["one two three four five", "six seven eight nine", "a b c d e f"],
            "age": [1, 2, 3],
            "category": ["p", "q", "p"],
        }
    )
    assert infer_column_roles(frame) == {
        "uid": "id",
        "body": "text",
        "photo": "image",
        "notes": "text",
        "age": "feature",
        "category": "label",
    }


def test_non_unique_id_column_is_a_feature() -> None:
    assert infer_column_roles(pd.DataFrame({"id": [1, 1]}))["id"] == "feature"


@pytest.mark.parametrize(
    ("overrides", "error", "match"),
    [
        ({"nope": "text"}, DataValidationError, "column 'nope' is not in the file"),
        ({"a": "title"}, InvalidOptionError, "role of column 'a' must be one of"),
    ],
    ids=["unknown-column", "unknown-role"],
)
def test_bad_overrides_are_refused(overrides: dict, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        merge_column_roles({"a": "text"}, overrides)


def test_a_new_label_column_demotes_the_old_one() -> None:
    assert merge_column_roles({"a": "label", "b": "feature"}, {"b": "label"}) == {
        "a": "feature",
        "b": "label",
    }
