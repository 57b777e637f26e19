"""Weak supervision: label models on WRENCH beside majority vote, fit time, and the YouTube spam workflow.

Run ``python benchmarks/weak.py`` (``--quick`` for a smoke run). Reads WRENCH label matrices from
``../shared/data/wrench`` and the UCI YouTube spam CSVs from ``../shared/data/youtube_spam`` (override with
``--data``); exits with status 2 if they are missing. Prints markdown tables and writes every number to
``benchmarks/results/weak-<date>.json`` (``-quick`` added for --quick).

Tie rule (WRENCH's): every model returns probabilities; a row's prediction is the class of highest
probability, and where several classes are within 1e-5 of the top (majority-vote ties, and rows no LF
covers under uniform probabilities) the winner is picked by a deterministic hash of the row's position:
tied class number ``int(sha1(str(i)).hexdigest(), 16) % n_tied`` in increasing class order. This is the
rule of snorkel's ``probs_to_preds`` that WRENCH's accuracy uses, reimplemented here; it reproduces
WRENCH's published majority-vote numbers (youtube 84.0, trec 60.8, semeval 77.33).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data"
RESULTS_DIR = HERE / "results"
sys.path.insert(0, str(ROOT / "src"))

from goldlabel.weak import (  # noqa: E402
    DawidSkeneLabelModel,
    KeywordLF,
    LabelModel,
    MajorityVoteLabelModel,
    MomentLabelModel,
    RegexLF,
    apply_lfs,
    compute_label_conflict,
    compute_label_coverage,
    compute_label_overlap,
)

MODELS = {
    "majority vote": lambda k: MajorityVoteLabelModel(n_classes=k),
    "LabelModel (default)": lambda k: LabelModel(n_classes=k),
    "DawidSkeneLabelModel": lambda k: DawidSkeneLabelModel(n_classes=k),
    "MomentLabelModel": lambda k: MomentLabelModel(n_classes=k),
}
# WRENCH's metric per dataset; every dataset shipped here is scored by accuracy
METRIC = {
    "youtube": "acc",
    "trec": "acc",
    "semeval": "acc",
    "agnews": "acc",
    "imdb": "acc",
    "yelp": "acc",
    "chemprot": "acc",
}


def log(msg: str) -> None:
    sys.stderr.write(msg + "\n")


def wrench_preds(probs: np.ndarray, tol: float = 1e-5) -> np.ndarray:
    """Argmax with WRENCH's deterministic hash tie rule (see module docstring)."""
    top = np.abs(probs - probs.max(axis=1, keepdims=True)) < tol
    preds = probs.argmax(axis=1)
    for i in np.flatnonzero(top.sum(axis=1) > 1):
        tied = np.flatnonzero(top[i])
        preds[i] = tied[int(hashlib.sha1(str(i).encode()).hexdigest(), 16) % len(tied)]
    return preds


def load_wrench(folder: Path) -> dict[str, Any]:
    out: dict[str, Any] = {"n_classes": len(json.loads((folder / "label.json").read_text()))}
    for split in ("train", "valid", "test"):
        rows = json.loads((folder / f"{split}.json").read_text()).values()
        out[split] = (
            np.array([r["weak_labels"] for r in rows], dtype=np.int64),
            np.array([r["label"] for r in rows], dtype=np.int64),
        )
    return out


def score(y: np.ndarray, pred: np.ndarray, metric: str) -> float:
    if metric == "acc":
        return float(np.mean(pred == y))
    tp = float(np.sum((pred == 1) & (y == 1)))
    return 2 * tp / max(float(np.sum(pred == 1) + np.sum(y == 1)), 1.0)


def run_wrench(data_dir: Path, results: dict[str, Any]) -> None:
    folders = sorted(p for p in (data_dir / "wrench").iterdir() if (p / "test.json").exists())
    rows = []
    for folder in folders:
        d = load_wrench(folder)
        k, name = d["n_classes"], folder.name
        metric = METRIC.get(name, "acc")
        (lt, _), (lv, yv), (ls, ys) = d["train"], d["valid"], d["test"]
        entry: dict[str, Any] = {
            "metric": metric,
            "n_classes": k,
            "shape_train": list(lt.shape),
            "coverage_test": compute_label_coverage(ls),
            "overlap_test": compute_label_overlap(ls),
            "conflict_test": compute_label_conflict(ls),
            "models": {},
        }
        for label, make in MODELS.items():
            start = time.perf_counter()
            model = make(k).fit(lt)
            fit_s = time.perf_counter() - start
            entry["models"][label] = {
                "test": 100 * score(ys, wrench_preds(model.predict_proba(ls)), metric),
                "valid": 100 * score(yv, wrench_preds(model.predict_proba(lv)), metric),
                "fit_s": fit_s,
            }
            log(f"{name}: {label} {entry['models'][label]}")
        results["wrench"][name] = entry
        rows.append((name, entry))
    print("\n### Label models on WRENCH (fit on train label matrix, no gold labels; test split)\n")
    head = "| dataset (metric) | coverage | " + " | ".join(MODELS) + " | default − MV |"
    print(head)
    print("|" + "---|" * (len(MODELS) + 3))
    for name, e in rows:
        cells = [f"{e['models'][m]['test']:.2f}" for m in MODELS]
        gain = e["models"]["LabelModel (default)"]["test"] - e["models"]["majority vote"]["test"]
        print(
            f"| {name} ({e['metric']}) | {e['coverage_test']:.3f} | "
            + " | ".join(cells)
            + f" | {gain:+.2f} |"
        )
    print("\nValidation split, same models:\n")
    print("| dataset | " + " | ".join(MODELS) + " |")
    print("|" + "---|" * (len(MODELS) + 1))
    for name, e in rows:
        print(f"| {name} | " + " | ".join(f"{e['models'][m]['valid']:.2f}" for m in MODELS) + " |")


def run_select(data_dir: Path, results: dict[str, Any]) -> None:
    """The validation-split grid the LabelModel defaults were picked from (mean valid accuracy)."""
    grid = [(s, b) for s in (2.0, 10.0, 50.0) for b in (True, False)]
    table = {}
    for folder in sorted(p for p in (data_dir / "wrench").iterdir() if (p / "valid.json").exists()):
        d = load_wrench(folder)
        (lt, _), (lv, yv) = d["train"], d["valid"]
        for s, b in grid:
            model = LabelModel(n_classes=d["n_classes"], prior_strength=s, balanced=b).fit(lt)
            acc = 100 * float(np.mean(wrench_preds(model.predict_proba(lv)) == yv))
            table.setdefault(f"prior_strength={s:g}, balanced={b}", {})[folder.name] = acc
    print("\n### LabelModel hyper-parameters on the validation splits (selection, not test)\n")
    names = sorted(next(iter(table.values())))
    print("| setting | " + " | ".join(names) + " | mean |")
    print("|" + "---|" * (len(names) + 2))
    for setting, accs in table.items():
        print(
            f"| {setting} | "
            + " | ".join(f"{accs[n]:.2f}" for n in names)
            + f" | {statistics.mean(accs.values()):.2f} |"
        )
    results["select"] = table


def synthetic(n: int, m: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Binary L: LF j fires with prob U(0.1, 0.5) and is right with prob U(0.55, 0.95) (reference §1.6)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    fire = rng.uniform(0.1, 0.5, m)
    acc = rng.uniform(0.55, 0.95, m)
    votes = np.where(rng.random((n, m)) < acc, y[:, None], 1 - y[:, None])
    return np.where(rng.random((n, m)) < fire, votes, -1), y


def run_speed(n: int, m: int, reps: int, results: dict[str, Any]) -> None:
    L, y = synthetic(n, m)
    covered = (L >= 0).any(axis=1)
    out = {}
    for label, make in MODELS.items():
        times = []
        for _ in range(reps):
            start = time.perf_counter()
            model = make(2).fit(L)
            times.append(time.perf_counter() - start)
        start = time.perf_counter()
        proba = model.predict_proba(L)
        pred_s = time.perf_counter() - start
        acc = (
            float(np.mean(wrench_preds(proba)[covered] == y[covered]))
            if n <= 200_000
            else float(np.mean(proba.argmax(axis=1)[covered] == y[covered]))
        )
        out[label] = {
            "fit_median_s": statistics.median(times),
            "fit_min_s": min(times),
            "fit_all_s": times,
            "predict_proba_s": pred_s,
            "acc_covered": 100 * acc,
        }
        log(f"speed {label}: {out[label]}")
    results["speed"] = {"n": n, "m": m, "reps": reps, "models": out}
    print(f"\n### Fit time, synthetic {n:.0e} rows x {m} LFs (binary), median of {reps}\n")
    print("| model | fit (median) | fit (min) | predict_proba | accuracy on covered rows |")
    print("|---|---|---|---|---|")
    for label, r in out.items():
        print(
            f"| {label} | {r['fit_median_s']:.2f} s | {r['fit_min_s']:.2f} s | "
            f"{r['predict_proba_s']:.2f} s | {r['acc_covered']:.2f} |"
        )


SPAM_LFS = [
    KeywordLF(["my"], 1, column="CONTENT", name="keyword_my"),
    KeywordLF({"subscribe": ["subscribers", "sub"]}, 1, column="CONTENT", name="keyword_subscribe"),
    RegexLF(r"https?://|www\.|\.com\b", 1, column="CONTENT", name="regex_link"),
    KeywordLF({"please": ["plz", "pls"]}, 1, column="CONTENT", name="keyword_please"),
    RegexLF(r"check\W+(\w+\W+){0,3}out", 1, column="CONTENT", name="regex_check_out"),
    KeywordLF(["channel", "videos"], 1, column="CONTENT", name="keyword_channel"),
    KeywordLF(["free", "money", "win", "earn"], 1, column="CONTENT", name="keyword_money"),
    KeywordLF(["song", "songs"], 0, column="CONTENT", name="keyword_song"),
    KeywordLF(["love", "best", "awesome", "beautiful"], 0, column="CONTENT", name="keyword_praise"),
    RegexLF(r"^\W*(\w+\W+){0,4}\w*\W*$", 0, column="CONTENT", name="regex_short_comment"),
    RegexLF(r"\b(views|billion|[0-9]{4})\b", 0, column="CONTENT", name="regex_views_year"),
]


def run_spam(data_dir: Path, seeds: int, results: dict[str, Any]) -> None:
    import pandas as pd
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    files = sorted((data_dir / "youtube_spam").glob("Youtube0*.csv"))
    frames = [pd.read_csv(f).assign(video=i + 1) for i, f in enumerate(files)]
    data = pd.concat(frames, ignore_index=True)
    label_col = "CLASS" if "CLASS" in data.columns else "label"
    train = data[data.video <= 4].reset_index(drop=True)  # labels hidden from the label model
    test = data[data.video == 5].reset_index(drop=True)
    start = time.perf_counter()
    L = apply_lfs(train, SPAM_LFS)
    apply_s = time.perf_counter() - start
    y_train = train[label_col].to_numpy()
    y_test = test[label_col].to_numpy()
    covered = (L >= 0).any(axis=1)
    vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    x_train = vec.fit_transform(train.CONTENT)
    x_test = vec.transform(test.CONTENT)

    def end_model(x: Any, y: np.ndarray, weight: np.ndarray | None = None) -> float:
        clf = LogisticRegression(C=10.0, max_iter=2000).fit(x, y, sample_weight=weight)
        return 100 * float(np.mean(clf.predict(x_test) == y_test))

    out: dict[str, Any] = {
        "n_train": len(train),
        "n_test": len(test),
        "n_lfs": len(SPAM_LFS),
        "apply_s": apply_s,
        "coverage": float(covered.mean()),
        "overlap": compute_label_overlap(L),
        "conflict": compute_label_conflict(L),
        "models": {},
    }
    for label, make in MODELS.items():
        model = make(2).fit(L)
        proba = model.predict_proba(L)
        lm_labels = proba.argmax(axis=1)
        lm_acc = 100 * float(np.mean(lm_labels[covered] == y_train[covered]))
        end = end_model(x_train[covered], lm_labels[covered])
        out["models"][label] = {"label_acc_covered_train": lm_acc, "end_model_test": end}
    gold = []
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        idx = rng.choice(len(train), 100, replace=False)
        gold.append(end_model(x_train[idx], y_train[idx]))
    out["gold100_test_mean"] = statistics.mean(gold)
    out["gold100_test_all"] = gold
    out["gold_all_test"] = end_model(x_train, y_train)
    results["youtube_spam"] = out
    print(
        f"\n### YouTube spam: {len(SPAM_LFS)} keyword/regex LFs on videos 1-4 ({len(train)} rows, "
        f"labels hidden), test = video 5 ({len(test)} rows)\n"
    )
    print(
        f"LF coverage {out['coverage']:.3f}, overlap {out['overlap']:.3f}, conflict "
        f"{out['conflict']:.3f}; apply_lfs {apply_s * 1000:.0f} ms.\n"
    )
    print(
        "| training labels for TF-IDF + logistic regression | label accuracy (covered train rows) "
        "| end-model test accuracy |"
    )
    print("|---|---|---|")
    for label, r in out["models"].items():
        print(
            f"| {label} labels on {int(covered.sum())} covered rows | "
            f"{r['label_acc_covered_train']:.2f} | {r['end_model_test']:.2f} |"
        )
    print(
        f"| 100 gold labels (mean of {seeds} random draws) | 100 | {out['gold100_test_mean']:.2f} |"
    )
    print(f"| all {len(train)} gold labels (upper bound) | 100 | {out['gold_all_test']:.2f} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small synthetic size, fewer repeats")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--select", action="store_true", help="also print the validation grid")
    parser.add_argument("--reps", type=int, default=None)
    args = parser.parse_args()
    if not (args.data / "wrench").is_dir() or not (args.data / "youtube_spam").is_dir():
        log(f"no WRENCH or youtube_spam data under {args.data}; pass --data. Nothing measured.")
        return 2
    n, m = (100_000, 10) if args.quick else (1_000_000, 20)
    reps = args.reps or (1 if args.quick else 3)
    results: dict[str, Any] = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "cpus": os.cpu_count(),
            "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS"),
        },
        "quick": args.quick,
        "wrench": {},
    }
    print(
        f"# goldlabel.weak benchmark ({results['date']}, {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, numpy {np.__version__})"
    )
    run_wrench(args.data, results)
    if args.select:
        run_select(args.data, results)
    run_speed(n, m, reps, results)
    run_spam(args.data, 3 if args.quick else 10, results)
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"weak-{dt.date.today().isoformat()}{'-quick' if args.quick else ''}.json"
    path.write_text(json.dumps(results, indent=2))
    log(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
