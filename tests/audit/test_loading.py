"""Reading data (frames, dicts, files) and turning labels into class indices."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from goldlabel.audit import Audit
from goldlabel.audit.loading import encode_labels, load_data
from goldlabel.exceptions import DataValidationError, InvalidLabelsError

FRAME = pd.DataFrame({"text": ["a b", "c", None, "d e f"], "label": ["pos", "neg", None, "pos"]})


@pytest.mark.parametrize(
    ("name", "write"),
    [
        ("data.csv", lambda f, p: f.to_csv(p, index=False)),
        ("data.tsv", lambda f, p: f.to_csv(p, sep="\t", index=False)),
        ("data.json", lambda f, p: f.to_json(p, orient="records")),
        ("data.jsonl", lambda f, p: f.to_json(p, orient="records", lines=True)),
        ("data.parquet", lambda f, p: f.to_parquet(p)),
        ("data.csv.gz", lambda f, p: f.to_csv(p, index=False)),
    ],
    ids=["csv", "tsv", "json", "jsonl", "parquet", "csv-gz"],
)
def test_files_of_every_supported_kind_load(tmp_path: Path, name: str, write) -> None:
    path = tmp_path / name
    write(FRAME, path)
    audit = Audit(path, "label", progress=False)
    assert audit.labels.tolist() == [1, 0, -1, 1]
    assert audit.class_names == ("neg", "pos")
    audit.find_issues()  # null on the text column, class_imbalance on the labels
    assert audit.get_issues("null")["is_null_issue"].tolist() == [False, False, True, False]
    assert Audit(str(path), progress=False).n_samples == 4


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ("missing.csv", r"no file at '.*missing.csv'"),
        ("data.xlsx", r"unknown file extension '.xlsx'"),
        ("data", r"unknown file extension '\(none\)'"),
        (42, r"data must be a pandas or polars DataFrame.*got int"),
        ({"a": [1, 2], "b": [1]}, r"same length; got lengths \{'a': 2, 'b': 1\}"),
        (pd.DataFrame({"a": []}), r"data has no rows"),
    ],
    ids=["missing-file", "unknown-extension", "no-extension", "bad-type", "ragged-dict", "empty"],
)
def test_unreadable_data_is_a_clear_error(tmp_path: Path, data, match: str) -> None:
    if isinstance(data, str):
        data = tmp_path / data
    with pytest.raises(DataValidationError, match=match):
        load_data(data)


def test_a_missing_file_is_also_a_file_not_found_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"no file at '.*nowhere.parquet'"):
        load_data(tmp_path / "nowhere.parquet")


def test_a_missing_label_column_is_a_clear_error() -> None:
    with pytest.raises(
        DataValidationError,
        match=r"label_name 'y' is not a column of the data; its columns are \['text', 'label'\]",
    ):
        Audit(FRAME, "y")


def test_a_dict_with_a_2d_array_becomes_a_column_of_vectors() -> None:
    frame = load_data({"emb": np.ones((3, 4)), "label": [0, 1, 1]})
    assert frame.shape == (3, 2)
    assert np.asarray(frame["emb"][0]).shape == (4,)


@pytest.mark.parametrize(
    ("values", "kwargs", "labels", "names"),
    [
        (["b", "a", None, "b"], {}, [1, 0, -1, 1], ("a", "b")),
        ([2, 0, -1], {}, [2, 0, -1], (0, 1, 2)),
        (np.array([1.0, np.nan, 0.0]), {}, [1, -1, 0], (0, 1)),
        (pd.array([1, None, 0], dtype="Int64"), {}, [1, -1, 0], (0, 1)),
        ([True, False], {}, [1, 0], (False, True)),
        (["cat", "dog", None], {"class_names": ["dog", "cat"]}, [1, 0, -1], ("dog", "cat")),
        ([0, 1, 1], {"class_names": ["dog", "cat"]}, [0, 1, 1], ("dog", "cat")),
        (np.array([3, 1, 2]), {"class_names": [1, 2, 3]}, [2, 0, 1], (1, 2, 3)),
        ([0.5, 1.5, 0.5], {}, [0, 1, 0], (0.5, 1.5)),
        ([None, None], {}, [-1, -1], ()),
    ],
    ids=[
        "strings",
        "ints",
        "float-nan",
        "nullable-int",
        "bools",
        "names",
        "indices-with-names",
        "ints-by-name",
        "floats",
        "all-missing",
    ],
)
def test_encode_labels(values, kwargs: dict, labels: list, names: tuple) -> None:
    got_labels, got_names = encode_labels(values, **kwargs)
    assert got_labels.dtype == np.int64
    assert got_labels.tolist() == labels
    assert got_names == names


@pytest.mark.parametrize(
    ("values", "kwargs", "match"),
    [
        (
            ["x", "a"],
            {"class_names": ["a"]},
            r"labels hold values that are not in class_names: 'x'",
        ),
        ([0, 1], {"class_names": ["a", "a"]}, r"class_names must be a non-empty list of distinct"),
        ([0, -3], {}, r"integer labels must be class indices >= 0 \(or -1 for unlabeled\); got -3"),
        (["a", 1], {}, r"labels mix types that cannot be sorted"),
    ],
    ids=["unknown-name", "duplicate-names", "negative", "mixed"],
)
def test_bad_labels_are_clear_errors(values, kwargs: dict, match: str) -> None:
    with pytest.raises(InvalidLabelsError, match=match):
        encode_labels(values, **kwargs)
