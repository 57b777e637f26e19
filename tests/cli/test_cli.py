"""The command line: goldlabel audit / autolabel / serve, through click's runner and a real process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from goldlabel.cli import cli, main
from goldlabel.core import (
    compute_consensus,
    compute_krippendorff_alpha,
    compute_multilabel_consensus,
)
from goldlabel.exceptions import DataValidationError
from goldlabel.tables import read_table, write_table
from tests.core.test_multiannotator import make_crowd
from tests.core.test_multiannotator_multilabel import make_tag_crowd
from tests.learn.test_multilabel_pipeline import generate_tagged_texts

WORDS = {
    "sports": ["match", "goal", "team", "player", "coach", "league"],
    "business": ["market", "shares", "profit", "bank", "stock", "revenue"],
}


def make_frame(n_per_class: int = 40, *, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows, labels = [], []
    filler = ["today", "after", "new", "said", "with", "report", "week", "the"]
    for name, words in WORDS.items():
        for i in range(n_per_class):
            strength = 6 if i < 2 else int(rng.integers(1, 5))  # rows 0 and 1 are clearly sports
            rows.append(" ".join([*rng.choice(words, strength), *rng.choice(filler, 4)]))
            labels.append(name)
    frame = pd.DataFrame({"text": rows, "label": labels})
    frame.loc[[0, 1], "label"] = "business"  # two wrong labels
    return frame


@pytest.fixture
def csv_file(tmp_path: Path) -> Path:
    path = tmp_path / "data.csv"
    make_frame().to_csv(path, index=False)
    return path


def test_audit_writes_every_row_with_the_export_columns(csv_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "clean.csv"
    result = CliRunner().invoke(
        cli, ["audit", str(csv_file), "--label", "label", "--text", "text", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    rows = pd.read_csv(out)
    assert len(rows) == 80
    for column in (
        "text",
        "label",
        "is_label_issue",
        "label_issue_score",
        "suggested_label",
        "suggested_label_confidence",
        "is_outlier_issue",
        "outlier_score",
        "is_near_duplicate_issue",
        "near_duplicate_set",
    ):
        assert column in rows.columns
    assert rows.loc[[0, 1], "is_label_issue"].all()
    assert rows.loc[[0, 1], "suggested_label"].tolist() == ["sports", "sports"]
    assert "likeliest label errors" in result.output and f"wrote {out}" in result.output


@pytest.mark.parametrize(
    "suffix", [".tsv", ".json", ".jsonl", ".parquet"], ids=["tsv", "json", "jsonl", "parquet"]
)
def test_audit_reads_and_writes_every_format(tmp_path: Path, suffix: str) -> None:
    source = write_table(make_frame(20), tmp_path / f"data{suffix}")
    out = tmp_path / f"out{suffix}"
    result = CliRunner().invoke(
        cli, ["audit", str(source), "--label", "label", "--out", str(out), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    assert result.output == ""
    assert len(read_table(out)) == 40


def test_audit_default_output_goes_to_the_working_folder(
    csv_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["audit", str(csv_file), "--label", "label", "--quiet"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "data.cleanset.csv").is_file()


def test_autolabel_fills_what_it_can_vouch_for_and_suggests_the_rest(tmp_path: Path) -> None:
    frame = make_frame(150, seed=1)
    frame.loc[[0, 1], "label"] = "sports"
    truth = frame["label"].copy()
    rng = np.random.default_rng(0)
    hidden = rng.random(len(frame)) < 0.5
    frame.loc[hidden, "label"] = None
    source = tmp_path / "partial.csv"
    frame.to_csv(source, index=False)
    out, next_out = tmp_path / "auto.csv", tmp_path / "next.csv"
    result = CliRunner().invoke(
        cli,
        [
            "autolabel",
            str(source),
            "--label",
            "label",
            "--text",
            "text",
            "--target-accuracy",
            "0.9",
            "--out",
            str(out),
            "--next-out",
            str(next_out),
            "--batch-size",
            "5",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = pd.read_csv(out)
    given = ~hidden
    assert (rows.loc[given, "label_source"] == "given").all()
    assert (rows.loc[given, "label"] == truth[given]).all()
    auto = (rows["label_source"] == "auto").to_numpy()
    assert not (auto & given).any()
    assert auto.sum() > 0.3 * hidden.sum()
    assert (rows.loc[auto, "label"] == truth[auto]).mean() >= 0.9
    assert rows.loc[hidden & ~auto, "label"].isna().all()
    picked = pd.read_csv(next_out)
    assert len(picked) == min(5, int((hidden & ~auto).sum()))
    assert hidden[picked["row"]].all() and not auto[picked["row"]].any()
    assert "auto-labeled" in result.output


def _tag_file(tmp_path: Path, *, unlabeled: float) -> tuple[Path, list, list, np.ndarray]:
    """A CSV of tagged texts, tags joined by '|' (a labeled row with no tag is left out: an empty
    cell is unlabeled); (path, given, truth, flipped)."""
    texts, given, truth, flipped = generate_tagged_texts(
        600, flip=0.08, unlabeled=unlabeled, random_state=3
    )
    keep = [g is None or len(g) > 0 for g in given]
    texts, given, truth = (
        [v for v, k in zip(values, keep, strict=True) if k] for values in (texts, given, truth)
    )
    frame = pd.DataFrame({"text": texts, "tags": ["|".join(g) if g else None for g in given]})
    path = tmp_path / "tags.csv"
    frame.to_csv(path, index=False)
    return path, given, truth, flipped[np.array(keep)]


def test_multilabel_audit_flags_flipped_tag_sets(tmp_path: Path) -> None:
    path, _, truth, flipped = _tag_file(tmp_path, unlabeled=0.0)
    out = tmp_path / "clean.csv"
    args = ["audit", str(path), "--label", "tags", "--text", "text", "--out", str(out)]
    result = CliRunner().invoke(cli, [*args, "--multilabel", "--separator", "|"])
    assert result.exit_code == 0, result.output
    rows = pd.read_csv(out)
    flags = rows["is_label_issue"].to_numpy(dtype=bool)
    assert flags[flipped].mean() > 0.6 and flipped[flags].mean() > 0.6
    # suggestions are written as the input writes labels: names joined by the separator
    suggested = [
        sorted(str(v).split("|")) if isinstance(v, str) else [] for v in rows["suggested_label"]
    ]
    assert np.mean([s == sorted(t) for s, t in zip(suggested, truth, strict=True)]) > 0.85
    assert "likeliest label errors" in result.output


def test_multilabel_autolabel_labels_whole_sets_it_can_vouch_for(tmp_path: Path) -> None:
    path, given, truth, _ = _tag_file(tmp_path, unlabeled=0.5)
    out, next_out = tmp_path / "auto.csv", tmp_path / "next.csv"
    args = ["autolabel", str(path), "--label", "tags", "--text", "text", "--multilabel"]
    args += ["--separator", "|", "--target-accuracy", "0.8", "--out", str(out)]
    result = CliRunner().invoke(cli, [*args, "--next-out", str(next_out), "--batch-size", "7"])
    assert result.exit_code == 0, result.output
    rows = pd.read_csv(out)
    hidden = np.array([g is None for g in given])
    auto = (rows["label_source"] == "auto").to_numpy()
    assert auto.sum() > 0.3 * hidden.sum() and not (auto & ~hidden).any()
    sets = [sorted(str(v).split("|")) for v in rows.loc[auto, "tags"]]
    right = np.mean(
        [s == sorted(truth[i]) for s, i in zip(sets, np.flatnonzero(auto), strict=True)]
    )
    assert right >= 0.8, right
    assert all(s != [""] for s in sets)  # never the empty set
    assert rows.loc[~hidden, "tags"].notna().all()  # given rows keep their tags
    picked = pd.read_csv(next_out)
    assert len(picked) == 7 and hidden[picked["row"]].all() and not auto[picked["row"]].any()
    conf = rows["suggested_label_confidence"].to_numpy()
    rest = hidden & ~auto
    assert conf[picked["row"]].max() <= np.sort(conf[rest])[6] + 1e-12  # the least sure sets
    assert "auto-labeled" in result.output


@pytest.mark.parametrize(
    ("content", "args", "match"),
    [
        ("text,label\nhello there,a\n", ["--label", "missing"], "has no column(s) 'missing'"),
        ("text,label\n" + "hello there,a\n" * 5, ["--label", "label"], "names 1 class(es)"),
        ("", ["--label", "label"], "is empty (0 bytes)"),
        ("text,label\n", ["--label", "label"], "has a header but no rows"),
        (b"text,label\n\xff\xfe caf\xe9,a\n", ["--label", "label"], "is not valid UTF-8"),
        (
            "text,label\nhello,a\n",
            ["--label", "label", "--text", "body"],
            "has no column(s) 'body'",
        ),
    ],
    ids=["missing-label", "one-class", "empty-file", "header-only", "undecodable", "missing-text"],
)
def test_bad_input_is_refused_with_a_message_and_no_traceback(
    tmp_path: Path, content: str | bytes, args: list[str], match: str
) -> None:
    path = tmp_path / "bad.csv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    for command in (["audit"], ["autolabel", "--target-accuracy", "0.9"]):
        result = CliRunner().invoke(cli, [*command, str(path), *args])
        assert result.exit_code != 0
        assert match in result.output
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize(
    ("name", "match"),
    [("data.xlsx", "cannot tell the format"), ("nowhere.csv", "no file at")],
    ids=["unknown-extension", "missing-file"],
)
def test_unreadable_paths_are_refused(tmp_path: Path, name: str, match: str) -> None:
    result = CliRunner().invoke(cli, ["audit", str(tmp_path / name), "--label", "label"])
    assert result.exit_code == 1 and match in result.output


def test_autolabel_refuses_a_target_outside_zero_one(csv_file: Path) -> None:
    result = CliRunner().invoke(
        cli, ["autolabel", str(csv_file), "--label", "label", "--target-accuracy", "1.5"]
    )
    assert result.exit_code == 2 and "--target-accuracy" in result.output


def test_write_table_refuses_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(DataValidationError, match="does not exist"):
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "no" / "out.csv")


def test_serve_is_a_command() -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0 and "--port" in result.output


def test_main_runs_the_group(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0 and "goldlabel" in capsys.readouterr().out


def test_python_dash_m_goldlabel_audit_runs_in_a_real_process(
    csv_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "clean.csv"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "goldlabel",
            "audit",
            str(csv_file),
            "--label",
            "label",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert len(pd.read_csv(out)) == 80
    bad = subprocess.run(
        [sys.executable, "-m", "goldlabel", "audit", str(csv_file), "--label", "nope"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert bad.returncode != 0 and "Traceback" not in bad.stderr and "'nope'" in bad.stderr


def test_auditing_a_cleanset_again_replaces_its_columns(csv_file: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    for source, out in ((csv_file, first), (first, second)):
        args = [
            "audit",
            str(source),
            "--label",
            "label",
            "--text",
            "text",
            "--out",
            str(out),
            "--quiet",
        ]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
    columns = pd.read_csv(second).columns
    assert not columns.duplicated().any() and (columns == pd.read_csv(first).columns).all()


def test_serve_refuses_a_public_host_without_authentication(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["serve", "--host", "0.0.0.0", "--port", "1", "--data-dir", str(tmp_path / "db")]
    )
    assert result.exit_code == 2, result.output
    assert "Usage: " in result.output
    assert "refusing to listen on '0.0.0.0' without authentication" in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def _long(labels: np.ndarray, cell: Any) -> pd.DataFrame:
    """One line per annotation (item, worker, label) of a wide crowd matrix."""
    lines = [
        {"item": f"r{i:03d}", "worker": f"w{j}", "answer": cell(labels[i, j])}
        for i, j in zip(
            *np.nonzero(~np.isnan(labels.reshape(len(labels), labels.shape[1], -1)[:, :, 0])),
            strict=True,
        )
    ]
    return pd.DataFrame(lines).sample(frac=1.0, random_state=0)  # any order


def test_consensus_command_matches_the_library(tmp_path: Path) -> None:
    classes = ["ant", "bee", "cat"]
    labels, _ = make_crowd(4, n=60, m=4, k=3, missing=0.3)
    path = tmp_path / "votes.csv"
    _long(labels, lambda v: classes[int(v)]).to_csv(path, index=False)
    out, people = tmp_path / "c.csv", tmp_path / "a.csv"
    args = ["consensus", str(path), "--item", "item", "--annotator", "worker", "--label", "answer"]
    result = CliRunner().invoke(cli, [*args, "--out", str(out), "--annotators-out", str(people)])
    assert result.exit_code == 0, result.output
    expected = compute_consensus(labels, n_classes=3, random_state=0)
    rows = pd.read_csv(out)
    assert rows["item"].tolist() == [f"r{i:03d}" for i in range(60)]
    assert rows["consensus_label"].tolist() == [classes[c] for c in expected.consensus_label]
    np.testing.assert_allclose(rows["consensus_quality_score"], expected.consensus_quality_score)
    who = pd.read_csv(people)
    assert who["annotator_quality"].tolist() == sorted(who["annotator_quality"])  # worst first
    quality = dict(zip(who["worker"], who["annotator_quality"], strict=True))
    np.testing.assert_allclose([quality[f"w{j}"] for j in range(4)], expected.annotator_quality)
    assert "consensus by CROWDLAB" in result.output and "annotators, worst first" in result.output
    alpha = compute_krippendorff_alpha(labels, n_classes=3)
    assert f"Krippendorff's alpha {alpha:.3f} on whole labels" in result.output


def test_consensus_command_on_tag_sets(tmp_path: Path) -> None:
    labels, _, _, _ = make_tag_crowd(6, n=80, m=4, k=3, missing=0.3)
    labels[np.nansum(labels, axis=2) == 0] = np.nan  # an empty cell is no annotation
    keep = ~np.isnan(labels[:, :, 0]).all(axis=1)
    labels = labels[keep]
    tags = np.array(["x", "y", "z"])
    path = tmp_path / "tags.jsonl"
    write_table(_long(labels, lambda v: "|".join(tags[v == 1])), path)
    out = tmp_path / "c.jsonl"
    args = ["consensus", str(path), "--item", "item", "--annotator", "worker", "--label", "answer"]
    args += ["--multilabel", "--separator", "|", "--out", str(out), "--quiet"]
    result = CliRunner().invoke(cli, [*args, "--annotators-out", str(tmp_path / "a.csv")])
    assert result.exit_code == 0, result.output
    expected = compute_multilabel_consensus(labels, random_state=0)
    got = read_table(out)["consensus_label"].fillna("").tolist()
    assert got == ["|".join(tags[row == 1]) for row in expected.consensus_labels]


@pytest.mark.parametrize(
    ("content", "args", "match"),
    [
        ("item,who,label\n1,a,x\n", ["--annotator", "worker"], "has no column(s) 'worker'"),
        ("item,who,label\n1,a,\n2,b,\n", ["--annotator", "who"], "holds no annotation"),
        ("item,who,label\n1,a,x\n1,a,y\n", ["--annotator", "who"], "first: row 1, annotator 'a'"),
    ],
    ids=["missing-column", "no-labels", "labeled-twice"],
)
def test_consensus_command_refuses_bad_input(
    tmp_path: Path, content: str, args: list[str], match: str
) -> None:
    path = tmp_path / "votes.csv"
    path.write_text(content)
    result = CliRunner().invoke(
        cli, ["consensus", str(path), "--item", "item", "--label", "label", *args, "--quiet"]
    )
    assert result.exit_code != 0 and match in result.output, result.output
    assert "Traceback" not in result.output


def test_consensus_command_with_one_annotation_per_item_takes_the_vote(tmp_path: Path) -> None:
    path = tmp_path / "votes.csv"
    path.write_text("item,who,label\n1,a,x\n2,b,y\n3,a,y\n")
    out = tmp_path / "c.csv"
    args = ["consensus", str(path), "--item", "item", "--annotator", "who", "--label", "label"]
    result = CliRunner().invoke(
        cli, [*args, "--out", str(out), "--annotators-out", str(tmp_path / "a.csv")]
    )
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out)["consensus_label"].tolist() == ["x", "y", "y"]
    assert "majority vote" in result.output
