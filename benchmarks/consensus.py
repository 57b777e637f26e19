"""Multi-label consensus on real crowd votes: CROWDLAB per class beside the majority vote, against gold.

Run ``python benchmarks/consensus.py`` (``--quick`` for a smoke run). Reads
``../shared/data/crowdsourced_amazon_sentiment`` (override with ``--data``): 1,000 Amazon reviews, each
with about five crowd votes on two yes/no questions (is it about a book? is it negative?) and the gold
answers. Exits with status 2 if the data is missing. Prints markdown tables and writes every number to
``benchmarks/results/consensus-<date>.json``.

The two questions make a two-class multi-label task: a review's set holds ``book`` and/or ``negative``.
The file gives each question's vote *counts*, not who cast them, so each review's five votes per question
are dealt at random (seeded) to five pseudo-annotators, whose two answers form their set; only reviews
with five votes on both questions are kept. Per-class consensus does not depend on that pairing; the
per-annotator figures do, so they are not reported.

Methods, all scored against gold (exact sets, and each class alone):

- majority vote per class (five votes: no ties);
- goldlabel ``compute_multilabel_consensus`` without a model;
- the same with a model: TF-IDF + logistic regression per class, 5-fold out-of-fold probabilities,
  trained on the majority-vote labels (gold is never seen);
- cleanlab 2.9's ``get_label_quality_multiannotator`` run once per class on the same binary columns and
  probabilities (cleanlab has no multi-label multi-annotator function), for time and identical output.

Also: how well the consensus quality score ranks wrong consensus sets first (AUROC).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data"
RESULTS_DIR = HERE / "results"
sys.path.insert(0, str(ROOT / "src"))

from goldlabel.core import compute_multilabel_consensus  # noqa: E402

CLASSES = ("book", "negative")
N_VOTES = 5


def log(msg: str) -> None:
    sys.stderr.write(msg + "\n")


def load(data_dir: Path, seed: int) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(texts, votes (N, 5, 2) of 0/1 dealt to pseudo-annotators, gold (N, 2))."""
    import pandas as pd

    path = (
        data_dir
        / "crowdsourced_amazon_sentiment"
        / "1k_amazon_reviews_crowdsourced_transformed.csv"
    )
    if not path.exists():
        log(f"missing {path}: this benchmark needs ../shared/data (see its README).")
        sys.exit(2)
    frame = pd.read_csv(path)
    cols = [
        ("is_book_in", "is_book_out", "is_book"),
        ("is_negative_in", "is_negative_out", "is_negative"),
    ]
    full = np.logical_and.reduce([(frame[yes] + frame[no]) == N_VOTES for yes, no, _ in cols])
    frame = frame[full].reset_index(drop=True)
    rng = np.random.default_rng(seed)
    votes = np.zeros((len(frame), N_VOTES, len(cols)))
    for c, (yes, _, _) in enumerate(cols):
        for i, n_yes in enumerate(frame[yes].to_numpy()):
            votes[i, :, c] = rng.permutation(np.arange(N_VOTES) < n_yes)
    gold = frame[[g for _, _, g in cols]].to_numpy().astype(np.int64)
    return frame["text"].astype(str).tolist(), votes, gold


def model_probs(texts: list[str], labels: np.ndarray, seed: int) -> np.ndarray:
    """Out-of-fold per-class probabilities of TF-IDF + logistic regression trained on ``labels``."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    features = TfidfVectorizer(sublinear_tf=True, min_df=2, ngram_range=(1, 2)).fit_transform(texts)
    out = np.empty(labels.shape)
    for c in range(labels.shape[1]):
        folds = StratifiedKFold(5, shuffle=True, random_state=seed)
        model = LogisticRegression(C=4.0, max_iter=2000)
        out[:, c] = cross_val_predict(
            model, features, labels[:, c], cv=folds, method="predict_proba"
        )[:, 1]
    return out


def scores(pred: np.ndarray, gold: np.ndarray) -> dict[str, float]:
    out = {"exact sets": float((pred == gold).all(axis=1).mean())}
    for c, name in enumerate(CLASSES):
        out[name] = float((pred[:, c] == gold[:, c]).mean())
    return out


def cleanlab_per_class(votes: np.ndarray, probs: np.ndarray) -> tuple[np.ndarray, float]:
    from cleanlab.multiannotator import get_label_quality_multiannotator

    start = time.perf_counter()
    labels = []
    for c in range(votes.shape[2]):
        binary = np.column_stack([1 - probs[:, c], probs[:, c]])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = get_label_quality_multiannotator(votes[:, :, c], binary, verbose=False)
        labels.append(res["label_quality"]["consensus_label"].to_numpy())
    return np.column_stack(labels), time.perf_counter() - start


def auroc(wrong: np.ndarray, score: np.ndarray) -> float | None:
    from sklearn.metrics import roc_auc_score

    if wrong.all() or not wrong.any():
        return None
    return float(roc_auc_score(wrong, -score))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--quick", action="store_true", help="one seed instead of five")
    parser.add_argument("--reps", type=int, default=5, help="timing repetitions (median)")
    args = parser.parse_args()
    seeds = [0] if args.quick else [0, 1, 2, 3, 4]
    runs: list[dict[str, Any]] = []
    for seed in seeds:
        texts, votes, gold = load(args.data, seed)
        vote = (votes.sum(axis=1) * 2 > N_VOTES).astype(np.int64)
        log(f"seed {seed}: {len(texts)} reviews; fitting the model on majority-vote labels ...")
        probs = model_probs(texts, vote, seed)
        alone = compute_multilabel_consensus(votes, random_state=seed)
        times = []
        for _ in range(args.reps):
            start = time.perf_counter()
            helped = compute_multilabel_consensus(votes, probs, random_state=seed)
            times.append(time.perf_counter() - start)
        run: dict[str, Any] = {
            "seed": seed,
            "n_reviews": len(texts),
            "majority vote": scores(vote, gold),
            "model alone (p >= 0.5)": scores((probs >= 0.5).astype(np.int64), gold),
            "CROWDLAB per class, annotators only": scores(alone.consensus_labels, gold),
            "CROWDLAB per class, with the model": scores(helped.consensus_labels, gold),
            "model_weight": helped.model_weight,
            "goldlabel_s": statistics.median(times),
            "auroc_quality_vs_wrong_set": auroc(
                (helped.consensus_labels != gold).any(axis=1), helped.consensus_quality_score
            ),
            # the peer's score: the vote fractions' product (quality_method='agreement')
            "auroc_vote_fraction_vs_wrong_set": auroc(
                (vote != gold).any(axis=1),
                compute_multilabel_consensus(
                    votes, quality_method="agreement", random_state=seed
                ).consensus_quality_score,
            ),
        }
        try:
            cl_labels, cl_times = cleanlab_per_class(votes, probs), []
            for _ in range(args.reps):
                cl_times.append(cleanlab_per_class(votes, probs)[1])
            run["cleanlab_s"] = statistics.median(cl_times)
            run["identical_to_cleanlab"] = bool(
                np.array_equal(cl_labels[0], helped.consensus_labels)
            )
        except ImportError:
            log("cleanlab is not installed: no time ratio (pip install -e '.[test]').")
        runs.append(run)
    methods = [
        "majority vote",
        "model alone (p >= 0.5)",
        "CROWDLAB per class, annotators only",
        "CROWDLAB per class, with the model",
    ]
    print(
        f"# Multi-label consensus on crowdsourced Amazon reviews — {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC\n"
    )
    print(
        f"{runs[0]['n_reviews']} reviews with 5 votes on both questions; {len(seeds)} seeds of the"
    )
    print(
        "pseudo-annotator deal and the model's folds; accuracy against gold, mean over seeds (min–max).\n"
    )
    print("| method | exact sets | book | negative |")
    print("|---|---|---|---|")
    summary: dict[str, Any] = {}
    for m in methods:
        cells = []
        for key in ("exact sets", *CLASSES):
            values = [r[m][key] for r in runs]
            summary.setdefault(m, {})[key] = values
            cells.append(f"{np.mean(values):.3f} ({min(values):.3f}–{max(values):.3f})")
        print(f"| {m} | " + " | ".join(cells) + " |")
    print()
    for key, what in (
        ("auroc_quality_vs_wrong_set", "CROWDLAB's consensus quality score (with the model)"),
        ("auroc_vote_fraction_vs_wrong_set", "the majority vote's vote fractions"),
    ):
        values = [r[key] for r in runs if r[key] is not None]
        if values:
            print(
                f"Ranking wrong sets first by {what}: AUROC {np.mean(values):.3f} (mean over seeds)."
            )
    if all("cleanlab_s" in r for r in runs):
        gl = statistics.median(r["goldlabel_s"] for r in runs)
        cl = statistics.median(r["cleanlab_s"] for r in runs)
        same = all(r["identical_to_cleanlab"] for r in runs)
        print(
            f"Time per consensus (with the model): goldlabel {gl * 1000:.1f} ms, cleanlab per class "
            f"{cl * 1000:.1f} ms: {cl / gl:.1f}x; consensus sets {'IDENTICAL' if same else 'DIFFERENT'}."
        )
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"consensus-{dt.date.today()}{'-quick' if args.quick else ''}.json"
    out.write_text(json.dumps({"runs": runs, "summary": summary}, indent=2))
    log(f"results written to {out}")


if __name__ == "__main__":
    main()
