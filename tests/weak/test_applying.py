from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest

from goldlabel.exceptions import DataValidationError, InvalidOptionError
from goldlabel.weak import ABSTAIN, KeywordLF, RegexLF, apply_lfs, labeling_function

ROWS = {"text": ["Subscribe to me", "nice song", "hello", "check this out, subscribe"]}


@labeling_function()
def fragile(x):
    if x.text == "hello":
        raise RuntimeError("boom")
    return 0 if "song" in x.text else ABSTAIN


@pytest.mark.parametrize(
    "data",
    [ROWS, pd.DataFrame(ROWS), pl.DataFrame(ROWS), [{"text": t} for t in ROWS["text"]]],
    ids=["mapping", "pandas", "polars", "records"],
)
def test_apply_lfs_inputs(data):
    lfs = [KeywordLF(["subscribe"], 1), RegexLF(r"\bsong\b", 0)]
    assert apply_lfs(data, lfs).tolist() == [[1, -1], [-1, 0], [-1, -1], [1, -1]]


def test_fault_tolerant_turns_errors_into_abstains():
    with pytest.raises(RuntimeError, match="boom"):
        apply_lfs(ROWS, [fragile])
    out = apply_lfs(ROWS, [fragile], fault_tolerant=True)
    assert out[:, 0].tolist() == [-1, 0, -1, -1]


def test_vectorised_applier_matches_row_wise_on_many_rows():
    rng = np.random.default_rng(0)
    words = np.array(["subscribe", "song", "plz", "love", "check", "out", "my", "channel"])
    text = [" ".join(rng.choice(words, 4)) for _ in range(500)]
    lfs = [
        KeywordLF({"please": ["plz"]}, 1),
        KeywordLF(["love", "song"], 0),
        RegexLF("check.*out", 1),
    ]
    fast = apply_lfs({"text": text}, lfs)

    @labeling_function()
    def slow(x):
        return 1 if ("plz" in x.text.split()) else ABSTAIN

    assert fast[:, 0].tolist() == apply_lfs({"text": text}, [slow])[:, 0].tolist()
    assert ((fast >= -1) & (fast <= 1)).all()


@pytest.mark.parametrize(
    ("data", "lfs", "error", "match"),
    [
        (ROWS, [], InvalidOptionError, "at least one labeling function"),
        (ROWS, [KeywordLF(["a"], 1), KeywordLF(["a"], 0)], InvalidOptionError, "must be unique"),
        (ROWS, ["not an lf"], InvalidOptionError, "must be a LabelingFunction"),
        ("text", [KeywordLF(["a"], 1)], DataValidationError, "must be a DataFrame"),
    ],
    ids=["empty", "duplicate-names", "not-lf", "bad-data"],
)
def test_apply_lfs_errors(data, lfs, error, match):
    with pytest.raises(error, match=match):
        apply_lfs(data, lfs)


def test_negative_vote_rejected():
    @labeling_function(vectorized=True)
    def minus_two(frame):
        return np.full(len(frame), -2)

    with pytest.raises(DataValidationError, match="returned -2"):
        apply_lfs(ROWS, [minus_two])
