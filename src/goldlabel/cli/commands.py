"""``goldlabel audit`` and ``goldlabel autolabel``: the pipeline on a file, a table out, a short report.

With ``--multilabel`` a label cell holds class names joined by ``--separator`` and both commands run the
multi-label pipeline; auto-labels are whole class sets certified by
:func:`~goldlabel.learn.autolabel.find_multilabel_auto_labels`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import click
import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from goldlabel.cli.progress import show_progress
from goldlabel.learn.active import STRATEGIES, suggest_rows_to_label
from goldlabel.learn.autolabel import find_auto_labels, find_multilabel_auto_labels
from goldlabel.learn.multilabel import run_multilabel_pipeline
from goldlabel.learn.pipeline import PipelineResult, run_pipeline
from goldlabel.tables import COMPRESSIONS, read_table, write_table

__all__ = ["audit_command", "autolabel_command", "default_out"]


def default_out(file: Path, suffix: str) -> Path:
    """``data.csv`` -> ``./data.<suffix>.csv``; ``data.jsonl.gz`` -> ``./data.<suffix>.jsonl.gz``."""
    tail = file.suffixes[-2:] if file.suffix.lower() in COMPRESSIONS else file.suffixes[-1:]
    extension = "".join(tail) or ".csv"
    return Path.cwd() / f"{file.name.removesuffix(extension)}.{suffix}{extension}"


@dataclass(frozen=True)
class _Inputs:
    """What every command takes (see :func:`_common_options`): the file, its columns, the run."""

    file: Path
    label: str
    text: tuple[str, ...]
    feature: tuple[str, ...]
    time_budget: float
    seed: int
    jobs: int
    quiet: bool
    multilabel: bool
    separator: str


def _analyse(
    inputs: _Inputs,
    *,
    issue_types: dict[str, dict[str, Any]] | None,
    unlabeled: str = "average",
) -> tuple[pd.DataFrame, PipelineResult]:
    # the command line refuses text that is not UTF-8
    frame = read_table(inputs.file, encoding="utf-8")
    missing = [c for c in (inputs.label, *inputs.text, *inputs.feature) if c not in frame.columns]
    if missing:
        raise click.BadParameter(
            f"{inputs.file.name} has no column(s) {', '.join(map(repr, missing))}; its columns "
            f"are {', '.join(map(str, frame.columns))}.",
            param_hint="--label/--text/--feature",
        )
    options: dict[str, Any] = {
        "label_column": inputs.label,
        "text_columns": list(inputs.text) or None,
        "feature_columns": list(inputs.feature) or None,
        "issue_types": issue_types,
        "random_state": inputs.seed,
        "n_jobs": inputs.jobs,
        "unlabeled": unlabeled,
    }
    with show_progress(enabled=not inputs.quiet) as progress:
        if inputs.multilabel:
            result = run_multilabel_pipeline(
                frame, separator=inputs.separator, progress=progress, **options
            )
        else:
            result = run_pipeline(
                frame, time_budget=inputs.time_budget, progress=progress, **options
            )
    return frame, result


def _cells(rows: pd.DataFrame, inputs: _Inputs) -> pd.DataFrame:
    """Multi-label class lists written as the input writes them: names joined by the separator."""
    if not inputs.multilabel:
        return rows
    out = rows.copy()
    for column in ("given_label", "suggested_label"):
        if column in out:
            out[column] = [
                inputs.separator.join(map(str, v)) if isinstance(v, list | tuple) else v
                for v in out[column]
            ]
    return out


def _issue_counts(rows: pd.DataFrame) -> list[tuple[str, int]]:
    return [
        (column[3:-6], int(rows[column].sum()))
        for column in rows.columns
        if column.startswith("is_") and column.endswith("_issue")
    ]


def _common_options(function: Any) -> Any:
    """Add the options every command takes; the command receives them as one :class:`_Inputs`."""
    names = [f.name for f in fields(_Inputs)]

    @functools.wraps(function)
    def command(**params: Any) -> Any:
        return function(_Inputs(**{name: params.pop(name) for name in names}), **params)

    options = [
        click.argument("file", type=click.Path(path_type=Path, dir_okay=False)),
        click.option("--label", "label", required=True, help="Column holding the given labels."),
        click.option("--text", "text", multiple=True, help="A text column (repeat for several)."),
        click.option(
            "--feature",
            "feature",
            multiple=True,
            help="Another feature column (repeat for several).",
        ),
        click.option(
            "--time-budget", default=60.0, show_default=True, help="Seconds for model choice."
        ),
        click.option("--seed", default=0, show_default=True, help="Random seed."),
        click.option(
            "--jobs", default=1, show_default=True, help="Parallel processes for model fits."
        ),
        click.option("--quiet", is_flag=True, help="No progress bar and no report."),
        click.option(
            "--multilabel",
            is_flag=True,
            help="Each row may have several classes: label cells hold class names joined by "
            "--separator (an empty cell is unlabeled).",
        ),
        click.option(
            "--separator",
            default=",",
            show_default=True,
            help="With --multilabel: what joins the class names in a label cell.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@click.command("audit")
@_common_options
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Where to write every row with the issue columns (default FILE-stem.cleanset.csv here).",
)
def audit_command(inputs: _Inputs, out: Path | None) -> None:
    """Find label errors, outliers, near duplicates and more in FILE; write every row with flags."""
    frame, result = _analyse(inputs, issue_types=None)
    file = inputs.file
    exported = _cells(result.rows, inputs).drop(columns=["given_label"])
    kept = frame.drop(columns=[c for c in exported.columns if c in frame.columns])  # a re-audit
    target = write_table(
        pd.concat([kept, exported], axis=1),
        out or default_out(file, "cleanset"),
    )
    if inputs.quiet:
        return
    console = Console()
    rows = _cells(result.rows, inputs)
    n_labeled = int((result.labels.reshape(len(rows), -1)[:, 0] >= 0).sum()) if len(rows) else 0
    console.print(
        f"[bold]{file.name}[/]: {len(rows)} rows, {n_labeled} labeled, "
        f"{len(result.class_names)} classes; model: {result.method}; "
        f"{sum(result.timings.values()):.1f} s"
    )
    table = Table("issue", "rows flagged", "share")
    for name, count in _issue_counts(rows):
        table.add_row(name, str(count), f"{count / len(rows):.1%}")
    console.print(table)
    if "is_label_issue" in rows and rows["is_label_issue"].any():
        worst = rows[rows["is_label_issue"]].sort_values("label_issue_score", ascending=False)
        top = Table("row", "given", "suggested", "score", title="likeliest label errors")
        for index, row in worst.head(5).iterrows():
            top.add_row(
                str(index),
                str(row["given_label"]),
                str(row["suggested_label"]),
                f"{row['label_issue_score']:.3f}",
            )
        console.print(top)
    console.print(f"wrote {target}", soft_wrap=True)  # a path is never broken across lines


@click.command("autolabel")
@_common_options
@click.option(
    "--target-accuracy",
    type=click.FloatRange(0.0, 1.0, min_open=True, max_open=True),
    required=True,
    help="Accuracy the auto-labels must reach, e.g. 0.95.",
)
@click.option(
    "--confidence",
    type=click.FloatRange(0.0, 1.0, min_open=True, max_open=True),
    default=0.9,
    show_default=True,
    help="Probability that they reach it.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Every row with label and label_source (default FILE-stem.autolabeled.csv here).",
)
@click.option(
    "--next-out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The rows to label next (default FILE-stem.to_label.csv here).",
)
@click.option("--batch-size", default=20, show_default=True, help="How many rows to suggest.")
@click.option(
    "--strategy",
    type=click.Choice([s for s in STRATEGIES if s != "committee"]),
    default="margin",
    show_default=True,
    help="How to choose the rows to label next (multi-label: always the least sure sets).",
)
def autolabel_command(
    inputs: _Inputs,
    target_accuracy: float,
    confidence: float,
    out: Path | None,
    next_out: Path | None,
    batch_size: int,
    strategy: str,
) -> None:
    """Label the rows of FILE a model can vouch for, and suggest which rows a person labels next."""
    frame, result = _analyse(
        inputs,
        issue_types={"label": {}},
        unlabeled="average",  # unlabeled rows scored like the calibration rows
    )
    file = inputs.file
    probs = result.pred_probs
    names = np.asarray(result.class_names, dtype=object)
    if inputs.multilabel:
        onehot = result.labels
        known = onehot[:, 0] >= 0
        given: list[Any] = [
            inputs.separator.join(names[row == 1]) if ok else None
            for row, ok in zip(onehot, known, strict=True)
        ]
    else:
        known = result.labels >= 0
        given = [names[k] if k >= 0 else None for k in result.labels.tolist()]
    labeled, unlabeled = np.flatnonzero(known), np.flatnonzero(~known)
    final = pd.Series(given, dtype=object)
    source = pd.Series([("given" if ok else None) for ok in known], dtype=object)
    n_auto, reason = 0, "every row is labeled; nothing to auto-label."
    remaining = unlabeled
    if unlabeled.size:
        if inputs.multilabel:
            # an empty cell means unlabeled, so no row is auto-labeled with no class
            decision = find_multilabel_auto_labels(
                probs[unlabeled],
                probs[labeled],
                [np.flatnonzero(row == 1).tolist() for row in onehot[labeled]],
                target_accuracy=target_accuracy,
                confidence=confidence,
                allow_empty=False,
            )
            chosen_labels = [inputs.separator.join(names[s]) for s in decision.labels]
        else:
            decision = find_auto_labels(
                probs[unlabeled],
                probs[labeled],
                result.labels[labeled],
                target_accuracy=target_accuracy,
                confidence=confidence,
            )
            chosen_labels = list(names[decision.labels])
        chosen = unlabeled[decision.indices]
        final.iloc[chosen] = chosen_labels
        source.iloc[chosen] = "auto"
        n_auto, reason = int(decision.n_to_label), decision.reason
        remaining = unlabeled[~decision.mask]
    rows = frame.copy()
    rows[inputs.label] = final.to_numpy()
    rows["label_source"] = source.to_numpy()
    suggested = _cells(result.rows, inputs)
    rows["suggested_label"] = suggested["suggested_label"].to_numpy()
    rows["suggested_label_confidence"] = suggested["suggested_label_confidence"].to_numpy()
    target = write_table(rows, out or default_out(file, "autolabeled"))
    picks = np.empty(0, dtype=np.int64)
    if remaining.size and inputs.multilabel:  # the least sure sets first
        conf = rows["suggested_label_confidence"].to_numpy()[remaining]
        picks = remaining[np.argsort(conf, kind="stable")[:batch_size]]
    elif remaining.size:
        order = suggest_rows_to_label(
            probs[remaining],
            strategy=strategy,
            batch_size=batch_size,
            features=result.features.dense[remaining] if strategy == "diverse" else None,
            random_state=inputs.seed,
        )
        picks = remaining[order]
    to_label = rows.iloc[picks].drop(columns=["label_source"]).assign(row=picks)
    next_target = write_table(to_label, next_out or default_out(file, "to_label"))
    if inputs.quiet:
        return
    console = Console()
    console.print(
        f"[bold]{file.name}[/]: {len(rows)} rows, {labeled.size} labeled, {unlabeled.size} "
        f"unlabeled; model: {result.method}"
    )
    console.print(
        f"auto-labeled {n_auto} rows ({n_auto / max(unlabeled.size, 1):.1%} of unlabeled). {reason}"
    )
    console.print(
        f"wrote {target}\nwrote {next_target} ({picks.size} rows to label next)", soft_wrap=True
    )
