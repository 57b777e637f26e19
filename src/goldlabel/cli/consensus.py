"""``goldlabel consensus``: several annotators' labels in, one consensus label per row and each
annotator's quality out (CROWDLAB; per class for multi-label sets)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from goldlabel.cli.commands import default_out
from goldlabel.core.agreement import (
    compute_krippendorff_alpha,
    compute_krippendorff_alpha_per_class,
)
from goldlabel.core.multiannotator import convert_long_to_wide_labels
from goldlabel.core.multiannotator_multilabel import (
    compute_annotation_consensus,
    convert_long_to_wide_multilabel,
)
from goldlabel.tables import read_table, write_table

__all__ = ["consensus_command"]


def _read(file: Path, item: str, annotator: str, label: str) -> pd.DataFrame:
    frame = read_table(file, encoding="utf-8")
    missing = [c for c in (item, annotator, label) if c not in frame.columns]
    if missing:
        raise click.BadParameter(
            f"{file.name} has no column(s) {', '.join(map(repr, missing))}; its columns are "
            f"{', '.join(map(str, frame.columns))}. Name the row id, annotator and label columns.",
            param_hint="--item/--annotator/--label",
        )
    frame = frame[frame[label].notna() & (frame[label].astype(str).str.strip() != "")]
    if frame.empty:
        raise click.BadParameter(
            f"{file.name} holds no annotation (every {label!r} cell is empty)."
        )
    return frame


def _names(value: Any, separator: str) -> list[str]:
    """The class names of one multi-label cell: a list (JSON input), or names joined by ``separator``."""
    parts = value if isinstance(value, list | tuple | np.ndarray) else str(value).split(separator)
    return [str(p).strip() for p in parts if str(p).strip()]


@click.command("consensus")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--item", required=True, help="Column naming the row (example) an annotation is of.")
@click.option("--annotator", required=True, help="Column naming who gave the annotation.")
@click.option("--label", required=True, help="Column holding the annotation's label.")
@click.option(
    "--multilabel",
    is_flag=True,
    help="An annotation may name several classes, joined by --separator; each class is decided "
    "on its own.",
)
@click.option("--separator", default=",", show_default=True, help="With --multilabel.")
@click.option("--seed", default=0, show_default=True, help="For the last-resort tie break.")
@click.option("--quiet", is_flag=True, help="No report.")
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="One row per item with its consensus (default FILE-stem.consensus.csv here).",
)
@click.option(
    "--annotators-out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="One row per annotator with their quality (default FILE-stem.annotators.csv here).",
)
def consensus_command(
    file: Path,
    item: str,
    annotator: str,
    label: str,
    multilabel: bool,
    separator: str,
    seed: int,
    quiet: bool,
    out: Path | None,
    annotators_out: Path | None,
) -> None:
    """Consensus of FILE's annotations, one per line (item, annotator, label): a consensus label
    and its quality per item, and each annotator's quality (CROWDLAB; the majority vote while no
    item has two annotations)."""
    frame = _read(file, item, annotator, label)
    items = frame[item].to_numpy()
    people = frame[annotator].astype(str).to_numpy()
    result: Any  # ConsensusResult, or MultilabelConsensusResult with --multilabel
    if multilabel:
        cells = [_names(v, separator) for v in frame[label]]
        classes = sorted({n for names in cells for n in names})
        index = {c: i for i, c in enumerate(classes)}
        wide, rows, who = convert_long_to_wide_multilabel(
            items, people, [[index[n] for n in names] for names in cells], n_classes=len(classes)
        )
        method, result = compute_annotation_consensus(
            wide, n_classes=len(classes), random_state=seed
        )
        names = np.asarray(classes, dtype=object)
        consensus = [separator.join(names[row == 1]) for row in result.consensus_labels]
    else:
        values = frame[label].astype(str).str.strip().to_numpy()
        classes = sorted(set(values.tolist()))
        index = {c: i for i, c in enumerate(classes)}
        wide, rows, who = convert_long_to_wide_labels(
            items, people, np.array([index[v] for v in values])
        )
        method, result = compute_annotation_consensus(
            wide, n_classes=len(classes), random_state=seed
        )
        consensus = [classes[int(c)] for c in result.consensus_label]
    by_item = pd.DataFrame(
        {
            item: rows,
            "consensus_label": consensus,
            "consensus_quality_score": result.consensus_quality_score,
            "annotator_agreement": result.annotator_agreement,
            "num_annotations": result.num_annotations,
        }
    )
    by_annotator = pd.DataFrame(
        {
            annotator: who,
            "annotator_quality": result.annotator_quality,
            "agreement_with_consensus": result.agreement_with_consensus,
            "worst_class": [
                classes[int(c)] if int(c) < len(classes) else None for c in result.worst_class
            ],
            "num_examples_labeled": result.num_examples_labeled,
        }
    ).sort_values("annotator_quality", na_position="last", kind="stable")
    target = write_table(by_item, out or default_out(file, "consensus"))
    people_target = write_table(by_annotator, annotators_out or default_out(file, "annotators"))
    if quiet:
        return
    console = Console()
    how = "CROWDLAB" if method == "crowdlab" else "majority vote (no item has two annotations)"
    console.print(
        f"[bold]{file.name}[/]: {len(frame)} annotations of {len(rows)} items by {len(who)} "
        f"annotators, {len(classes)} classes; consensus by {how}"
        + (", each class on its own" if multilabel else ""),
        soft_wrap=True,
    )
    table = Table(
        "annotator", "quality", "agrees with consensus", "items", title="annotators, worst first"
    )
    for _, row in by_annotator.head(8).iterrows():
        quality = row["annotator_quality"]
        table.add_row(
            str(row[annotator]),
            "–" if pd.isna(quality) else f"{quality:.3f}",
            f"{row['agreement_with_consensus']:.1%}",
            str(row["num_examples_labeled"]),
        )
    console.print(table)
    n_classes = max(len(classes), 2)
    alpha = compute_krippendorff_alpha(wide, n_classes=n_classes)
    per_class = compute_krippendorff_alpha_per_class(wide, n_classes=n_classes)
    ranked = sorted(
        ((c, a) for c, a in zip(classes, per_class, strict=False) if np.isfinite(a)),
        key=lambda pair: pair[1],
    )
    console.print(
        f"agreement: Krippendorff's alpha {alpha:.3f} on whole labels (1 perfect, 0 chance); per "
        "class, least agreed first: " + ", ".join(f"{c} {a:.2f}" for c, a in ranked[:8]),
        soft_wrap=True,
    )
    doubtful = int((by_item["annotator_agreement"] < 1).sum())
    console.print(f"{doubtful} items where annotators disagree", soft_wrap=True)
    console.print(f"wrote {target}\nwrote {people_target}", soft_wrap=True)
