from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from goldlabel.exceptions import DataValidationError, InvalidOptionError
from goldlabel.weak import (
    ABSTAIN,
    ColumnValueLF,
    KeywordLF,
    LabelHierarchy,
    ModelLF,
    RegexLF,
    Row,
    ThresholdLF,
    build_keyword_lfs,
    labeling_function,
)

FRAME = pd.DataFrame(
    {
        "text": [
            "Check out my channel",
            "plz subscribe",
            "pleasant song",
            None,
            "SUBSCRIBE!",
            "start",
        ],
        "source": ["web", "trap", "web", None, "trap", "mail"],
        "links": [0, 3, np.nan, 1, 2.5, -1],
        "x": [0.0, 3.0, 1.0, 2.9, 0.2, 2.0],
    }
)
CLF = LogisticRegression().fit(pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0]}), [0, 0, 1, 1])

BUILTINS = [
    KeywordLF({"subscribe": ["sub"], "please": ["plz"]}, 1),
    KeywordLF(["art"], 0),
    KeywordLF(["art"], 0, whole_word=False, name="art_sub"),
    KeywordLF("Subscribe", 1, ignore_case=False, name="cased"),
    RegexLF(r"check.*out", 1),
    ColumnValueLF("source", {"trap": 1, "mail": 0}),
    ThresholdLF("links", ">=", 2, 1),
    ThresholdLF("links", "<", 1, 0),
    ModelLF(CLF, ["x"], min_confidence=0.7),
]


@pytest.mark.parametrize("lf", BUILTINS, ids=[lf.name for lf in BUILTINS])
def test_vectorised_and_row_wise_agree(lf):
    vectorised = lf.apply(FRAME)
    row_wise = [lf(Row(r)) for r in FRAME.to_dict("records")]
    assert vectorised.dtype == np.int64
    assert vectorised.tolist() == row_wise


@pytest.mark.parametrize(
    ("lf", "expected"),
    [
        (BUILTINS[0], [-1, 1, -1, -1, 1, -1]),
        (BUILTINS[1], [-1, -1, -1, -1, -1, -1]),
        (BUILTINS[2], [-1, -1, -1, -1, -1, 0]),
        (BUILTINS[3], [-1, -1, -1, -1, -1, -1]),
        (BUILTINS[4], [1, -1, -1, -1, -1, -1]),
        (BUILTINS[5], [-1, 1, -1, -1, 1, 0]),
        (BUILTINS[6], [-1, 1, -1, -1, 1, -1]),
        (BUILTINS[7], [0, -1, -1, -1, -1, 0]),
        (BUILTINS[8], [0, 1, -1, 1, 0, -1]),
    ],
    ids=[lf.name for lf in BUILTINS],
)
def test_builtin_votes(lf, expected):
    assert lf.apply(FRAME).tolist() == expected


def test_labels_by_name_and_hierarchy():
    h = LabelHierarchy(parents={"graph-learning": "other"}, aliases={"gnn": "graph-learning"})
    lf = KeywordLF(["graph"], "gnn", classes=["cv", "other"], hierarchy=h)
    assert lf.label == 1
    lfs = build_keyword_lfs(
        {"gnn": ["graph"], "cv": ["image"]}, classes=["cv", "other"], hierarchy=h
    )
    assert [lf.label for lf in lfs] == [1, 0]


def test_decorator_row_wise_and_vectorised():
    @labeling_function(resources={"word": "song"})
    def has_word(x, word):
        return 0 if isinstance(x.text, str) and word in x.text else ABSTAIN

    @labeling_function(name="short", vectorized=True)
    def short(frame):
        return np.where(frame.text.fillna("").str.len() < 6, 0, ABSTAIN)

    assert has_word.name == "has_word"
    assert has_word.apply(FRAME).tolist() == [-1, -1, 0, -1, -1, -1]
    assert short.apply(FRAME).tolist() == [-1, -1, -1, 0, -1, 0]
    assert short(Row(text="hi")) == 0


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: RegexLF("(", 1), InvalidOptionError, "not a valid regular expression"),
        (lambda: KeywordLF([], 1), InvalidOptionError, "keywords must be non-empty"),
        (lambda: KeywordLF(["a"], "spam"), InvalidOptionError, "needs classes="),
        (
            lambda: KeywordLF(["a"], "spam", classes=["ham"]),
            InvalidOptionError,
            "not one of the classes",
        ),
        (lambda: KeywordLF(["a"], 3, classes=["a", "b"]), InvalidOptionError, "not a class index"),
        (lambda: ThresholdLF("x", "==", 1, 0), InvalidOptionError, "op must be one of"),
        (lambda: ThresholdLF("x", ">", "1", 0), InvalidOptionError, "threshold must be a number"),
        (lambda: ColumnValueLF("x", {}), InvalidOptionError, "non-empty mapping"),
        (lambda: ModelLF(object(), ["x"]), InvalidOptionError, "predict_proba"),
        (lambda: ModelLF(CLF, ["x"], min_confidence=2), InvalidOptionError, "min_confidence"),
        (
            lambda: ModelLF(CLF, ["x"], class_map={0: 1}),
            InvalidOptionError,
            "no entry for the model",
        ),
    ],
    ids=[
        "regex",
        "keywords",
        "name-no-classes",
        "unknown-name",
        "index",
        "op",
        "threshold",
        "values",
        "model",
        "confidence",
        "class-map",
    ],
)
def test_builtin_errors(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_missing_column_and_bad_return():
    with pytest.raises(DataValidationError, match="reads column 'body'"):
        KeywordLF(["a"], 1, column="body").apply(FRAME)

    @labeling_function()
    def bad(x):
        return "spam"

    with pytest.raises(DataValidationError, match="must return a class index"):
        bad.apply(FRAME)

    @labeling_function(vectorized=True)
    def wrong_length(frame):
        return np.zeros(2, dtype=int)

    with pytest.raises(DataValidationError, match="returned shape"):
        wrong_length.apply(FRAME)
    with pytest.raises(AttributeError, match="the row has no column 'nope'"):
        _ = Row(text="a").nope
