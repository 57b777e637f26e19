"""Column-type inference."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from goldlabel.exceptions import DataValidationError, InvalidOptionError
from goldlabel.learn import infer_column_types
from goldlabel.learn.columns import as_pandas, parse_vector

N = 30


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (["the quick brown fox jumps over it"] * N, "text"),
        (np.arange(N, dtype=float), "numeric"),
        (["red", "green", "blue"] * 10, "categorical"),
        ([f"2024-01-{i % 28 + 1:02d}" for i in range(N)], "datetime"),
        ([True, False] * 15, "boolean"),
        ([[0.1, 0.2, 0.3]] * N, "embedding"),
        (["[0.1, 0.2, 0.3]"] * N, "embedding"),
        ([f"img_{i}.png" for i in range(N)], "image"),
        ([np.zeros((4, 4))] * N, "image"),
        ([f"id{i}" for i in range(N)], "ignore"),
        ([None] * N, "ignore"),
        (pd.to_datetime(["2024-01-01"] * N), "datetime"),
        (pd.Categorical(["a", "b"] * 15), "categorical"),
    ],
    ids=[
        "text",
        "numeric",
        "categorical",
        "date-strings",
        "boolean",
        "embedding-lists",
        "embedding-strings",
        "image-paths",
        "image-arrays",
        "identifier",
        "all-missing",
        "datetime-dtype",
        "categorical-dtype",
    ],
)
def test_infer_column_types_names_each_kind(values: object, kind: str) -> None:
    frame = pd.DataFrame(
        {"column": pd.Series(list(values) if isinstance(values, list) else values)}
    )
    assert infer_column_types(frame) == {"column": kind}


def test_overrides_and_exclude_apply() -> None:
    frame = pd.DataFrame({"a": ["x y z w v"] * 3, "b": [1, 2, 3], "label": [0, 1, 0]})
    types = infer_column_types(frame, overrides={"b": "categorical"}, exclude=["label"])
    assert types == {"a": "text", "b": "categorical"}


def test_polars_and_dict_inputs_are_accepted() -> None:
    polars = pytest.importorskip("polars")
    assert infer_column_types(polars.DataFrame({"x": [1.0, 2.0]})) == {"x": "numeric"}
    assert as_pandas({"x": [1, 2]}).shape == (2, 1)


@pytest.mark.parametrize(
    ("overrides", "error", "match"),
    [
        ({"nope": "text"}, DataValidationError, r"columns the data does not have: \['nope'\]"),
        ({"a": "words"}, InvalidOptionError, r"unknown column kinds \{'a': 'words'\}"),
    ],
    ids=["unknown-column", "unknown-kind"],
)
def test_bad_overrides_are_refused(overrides: dict, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        infer_column_types(pd.DataFrame({"a": [1]}), overrides=overrides)


def test_non_frame_input_is_refused() -> None:
    with pytest.raises(DataValidationError, match="received list"):
        infer_column_types([1, 2, 3])


def test_parse_vector_reads_text_and_sequences() -> None:
    assert parse_vector("[1, 2.5, -3e-1]").tolist() == [1.0, 2.5, -0.3]
    assert parse_vector(np.array([[1, 2]])).tolist() == [1.0, 2.0]
    assert parse_vector(float("nan")) is None
