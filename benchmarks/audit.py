"""Benchmark the dataset audit against cleanlab's Datalab, in the same run.

Four parts, each printed as a markdown table and written to ``benchmarks/results/audit.json``:

(a) speed: every default check, goldlabel ``Audit`` and ``Datalab``, each in a fresh subprocess
    (wall time of ``find_issues`` and peak RSS), N = 1e5 by default (``--quick``: 1e4), 32-dim
    Gaussian blobs, 10 classes, out-of-sample predicted probabilities;
(b) scale: goldlabel alone at N = 1e6 (``--quick``: 5e4), wall time and peak RSS in a subprocess;
(c) agreement with Datalab per issue type (Jaccard of the flagged sets), N in {1e3, 1e4}, seeds;
(d) quality of each check against the injected truth (precision, recall), goldlabel beside Datalab.

The data: blobs with 10 % of labels flipped, 0.5 % far outliers, 1 % near-duplicate copies
(half exact), one class on which the model is poor (an underperforming group), rows shuffled.
``pred_probs`` are the true model's posteriors tempered and perturbed by logit noise (a synthetic
but realistic out-of-sample model: about 90 % accurate, overconfident on some rows).

Run::

    OPENBLAS_NUM_THREADS=2 .venv/bin/python benchmarks/audit.py --quick
    OPENBLAS_NUM_THREADS=2 .venv/bin/python benchmarks/audit.py          # minutes: Datalab at 1e5
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

CHECKS = [
    "label",
    "outlier",
    "near_duplicate",
    "non_iid",
    "class_imbalance",
    "underperforming_group",
    "null",
    "data_valuation",
]
_LABEL_LIKE = ("label", "data_valuation")
RESULTS = Path(__file__).resolve().parent / "results"


@dataclass
class Data:
    features: np.ndarray
    labels: np.ndarray
    pred_probs: np.ndarray
    truth: dict[str, np.ndarray]


def make_data(n: int, *, seed: int, n_features: int = 32, n_classes: int = 10) -> Data:
    """Blobs with injected label noise, outliers, near duplicates and a poorly modelled class."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(0.0, 1.0, (n_classes, n_features)) * 0.6
    n_out, n_dup = max(1, n // 200), max(2, n // 100)
    n_base = n - n_out - n_dup
    y = rng.integers(0, n_classes, n_base)
    x = centers[y] + rng.normal(0.0, 1.0, (n_base, n_features)) * 0.35
    out_y = rng.integers(0, n_classes, n_out)
    direction = rng.normal(size=(n_out, n_features))
    out_x = centers[out_y] + direction / np.linalg.norm(direction, axis=1, keepdims=True) * 6.0
    src = rng.choice(n_base, n_dup // 2, replace=False)
    copies = x[src] + rng.normal(0.0, 1e-4, (src.size, n_features))
    copies[: src.size // 2] = x[src[: src.size // 2]]
    features = np.r_[x, out_x, copies].astype(np.float32)
    true = np.r_[y, out_y, y[src]]
    kind = np.r_[np.zeros(n_base), np.ones(n_out), np.full(src.size, 2)].astype(int)
    dup_of = np.r_[np.full(n_base + n_out, -1), src]
    # rows are shuffled so that the order is IID
    order = rng.permutation(features.shape[0])
    features, true, kind, dup_of = features[order], true[order], kind[order], dup_of[order]
    new_pos = np.empty_like(order)
    new_pos[order] = np.arange(order.size)
    is_dup = np.zeros(order.size, dtype=bool)
    copies_at = np.flatnonzero(dup_of >= 0)
    is_dup[copies_at] = True
    is_dup[new_pos[dup_of[copies_at]]] = True
    m = features.shape[0]
    flip = (rng.random(m) < 0.10) & (kind == 0)
    labels = true.copy()
    labels[flip] = (true[flip] + rng.integers(1, n_classes, flip.sum())) % n_classes
    # the model: tempered posteriors of the true blobs plus logit noise
    xf = features.astype(np.float64)
    sq = (xf**2).sum(1)[:, None] - 2 * xf @ centers.T + (centers**2).sum(1)[None, :]
    logits = -sq / (2 * 0.35**2) * 0.08 + rng.normal(0.0, 1.0, (m, n_classes))
    weak = true == n_classes - 1  # the underperforming group: the model misses this class
    logits[weak] = rng.normal(0.0, 1.0, (int(weak.sum()), n_classes))
    logits[weak, n_classes - 1] -= 4.0
    logits -= logits.max(axis=1, keepdims=True)
    probs = np.exp(logits)
    probs /= probs.sum(axis=1, keepdims=True)
    truth = {
        "label": flip,
        "outlier": kind == 1,
        "near_duplicate": is_dup,
        "underperforming_group": weak,
        "data_valuation": flip,
    }
    return Data(features, labels.astype(np.int64), probs.astype(np.float32), truth)


_TIMINGS: dict[str, float] = {}


def run_goldlabel(d: Data, issue_types: dict | None) -> tuple[float, dict[str, np.ndarray]]:
    from goldlabel.audit import Audit

    audit = Audit({"label": d.labels}, label_name="label", progress=False)
    start = time.perf_counter()
    audit.find_issues(pred_probs=d.pred_probs, features=d.features, issue_types=issue_types)
    elapsed = time.perf_counter() - start
    _TIMINGS.clear()
    _TIMINGS.update(audit.get_info("statistics").get("timings", {}))
    issues = audit.get_issues()
    flags = {c: issues[f"is_{c}_issue"].to_numpy() for c in CHECKS if f"is_{c}_issue" in issues}
    return elapsed, flags


def run_datalab(d: Data, issue_types: dict | None) -> tuple[float, dict[str, np.ndarray]]:
    from cleanlab import Datalab

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lab = Datalab({"label": d.labels}, label_name="label", verbosity=0)
        start = time.perf_counter()
        lab.find_issues(pred_probs=d.pred_probs, features=d.features, issue_types=issue_types)
        elapsed = time.perf_counter() - start
    issues = lab.get_issues()
    flags = {c: issues[f"is_{c}_issue"].to_numpy() for c in CHECKS if f"is_{c}_issue" in issues}
    return elapsed, flags


def worker(tool: str, n: int, seed: int) -> None:
    """Run one tool once in this process and print a JSON line (used through a subprocess)."""
    d = make_data(n, seed=seed)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    run = run_goldlabel if tool == "goldlabel" else run_datalab
    elapsed, flags = run(d, None)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    counts = {k: int(v.sum()) for k, v in flags.items()}
    # per-check seconds (goldlabel only; the graph is built inside the first check that needs it)
    print(
        json.dumps(
            {
                "seconds": elapsed,
                "peak_rss_mb": peak,
                "rss_inputs_mb": rss_before,
                "flagged": counts,
                "check_seconds": dict(_TIMINGS),
            }
        )
    )


def in_subprocess(tool: str, n: int, seed: int, timeout: float) -> dict:
    cmd = [sys.executable, __file__, "--worker", tool, "--n", str(n), "--seed", str(seed)]
    start = time.perf_counter()
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    except subprocess.CalledProcessError as err:
        return {"error": err.stderr.strip().splitlines()[-1] if err.stderr else "failed"}
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["process_seconds"] = time.perf_counter() - start
    return result


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    union = int((a | b).sum())
    return 1.0 if union == 0 else int((a & b).sum()) / union


def precision_recall(flags: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    tp = int((flags & truth).sum())
    precision = tp / flags.sum() if flags.sum() else float("nan")
    recall = tp / truth.sum() if truth.sum() else float("nan")
    return float(precision), float(recall)


def _print_check_seconds(result: dict) -> None:
    seconds = result.get("check_seconds") or {}
    if seconds:
        cells = ", ".join(f"{name} {s:.2f}" for name, s in seconds.items())
        print(
            f"\ngoldlabel seconds per check (the graph is built in the first that needs it): {cells}"
        )


def part_speed(n: int, timeout: float) -> dict:
    ours = in_subprocess("goldlabel", n, 0, timeout)
    theirs = in_subprocess("datalab", n, 0, timeout)
    ratio = theirs.get("seconds", float("nan")) / ours.get("seconds", float("nan"))
    print(f"\n## (a) speed, all default checks, N={n:.0e}, 32 features, 10 classes\n")
    print("| tool | find_issues s | peak RSS MB | flagged |")
    print("|---|---|---|---|")
    for name, r in (("goldlabel", ours), ("Datalab", theirs)):
        if "error" in r:
            print(f"| {name} | {r['error']} | | |")
        else:
            print(f"| {name} | {r['seconds']:.2f} | {r['peak_rss_mb']:.0f} | {r['flagged']} |")
    print(f"\nspeed-up (Datalab / goldlabel): **{ratio:.1f}x**")
    _print_check_seconds(ours)
    return {"n": n, "goldlabel": ours, "datalab": theirs, "speedup": ratio}


def part_scale(n: int, timeout: float) -> dict:
    r = in_subprocess("goldlabel", n, 0, timeout)
    print(f"\n## (b) scale, goldlabel alone, N={n:.0e}\n")
    if "error" in r:
        print(f"goldlabel: {r['error']}")
    else:
        print(
            f"find_issues {r['seconds']:.1f} s, peak RSS {r['peak_rss_mb']:.0f} MB "
            f"(inputs alone {r['rss_inputs_mb']:.0f} MB); flagged {r['flagged']}"
        )
    _print_check_seconds(r)
    return {"n": n, **r}


def part_agreement(sizes: list[int], seeds: list[int]) -> dict:
    rows = []
    for n in sizes:
        for seed in seeds:
            d = make_data(n, seed=seed)
            # fresh option dicts each time: Datalab writes into the ones it is given
            t_ours, ours = run_goldlabel(d, {c: {} for c in CHECKS})
            t_theirs, theirs = run_datalab(d, {c: {} for c in CHECKS})
            for c in CHECKS:
                if c not in ours or c not in theirs:
                    continue
                row = {
                    "n": n,
                    "seed": seed,
                    "check": c,
                    "jaccard": jaccard(ours[c], theirs[c]),
                    "goldlabel_flagged": int(ours[c].sum()),
                    "datalab_flagged": int(theirs[c].sum()),
                }
                if c in d.truth:
                    # label noise is scored outside the poorly modelled class, where the model
                    # (not the label) is wrong
                    scope = ~d.truth["underperforming_group"] if c in _LABEL_LIKE else slice(None)
                    row["goldlabel_pr"] = precision_recall(ours[c][scope], d.truth[c][scope])
                    row["datalab_pr"] = precision_recall(theirs[c][scope], d.truth[c][scope])
                rows.append(row)
            rows.append(
                {
                    "n": n,
                    "seed": seed,
                    "check": "_time",
                    "goldlabel_s": t_ours,
                    "datalab_s": t_theirs,
                }
            )
    print(f"\n## (c) agreement with Datalab (Jaccard of flagged sets), seeds {seeds}\n")
    print("| check | " + " | ".join(f"N={n:.0e} mean (min)" for n in sizes) + " |")
    print("|---|" + "---|" * len(sizes))
    for c in CHECKS:
        cells = []
        for n in sizes:
            js = [r["jaccard"] for r in rows if r["check"] == c and r["n"] == n]
            cells.append(f"{np.mean(js):.3f} ({min(js):.3f})" if js else "n/a")
        print(f"| {c} | " + " | ".join(cells) + " |")
    print("\n## (d) quality against the injected truth: precision / recall (mean over seeds)\n")
    print("| check | N | goldlabel P | goldlabel R | Datalab P | Datalab R | flagged gl / dl |")
    print("|---|---|---|---|---|---|---|")
    for c in CHECKS:
        for n in sizes:
            sel = [r for r in rows if r["check"] == c and r["n"] == n]
            if not sel:
                continue
            flagged = (
                f"{np.mean([r['goldlabel_flagged'] for r in sel]):.1f} / "
                f"{np.mean([r['datalab_flagged'] for r in sel]):.1f}"
            )
            if "goldlabel_pr" not in sel[0]:
                print(f"| {c} | {n:.0e} | – | – | – | – | {flagged} |")
                continue
            g = np.nanmean([r["goldlabel_pr"] for r in sel], axis=0)
            t = np.nanmean([r["datalab_pr"] for r in sel], axis=0)
            print(
                f"| {c} | {n:.0e} | {g[0]:.3f} | {g[1]:.3f} | {t[0]:.3f} | {t[1]:.3f} | {flagged} |"
            )
    return {"rows": rows}


def _non_iid_only(d: Data, order: np.ndarray, *, features: bool) -> tuple[bool, bool]:
    """Whether each tool flags the dataset as non-IID, rows taken in ``order``."""
    from cleanlab import Datalab

    from goldlabel.audit import Audit

    labels, probs = d.labels[order], d.pred_probs[order]
    feats = d.features[order] if features else None
    audit = Audit({"label": labels}, label_name="label", progress=False)
    audit.find_issues(pred_probs=probs, features=feats, issue_types={"non_iid": {}})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lab = Datalab({"label": labels}, label_name="label", verbosity=0)
        lab.find_issues(pred_probs=probs, features=feats, issue_types={"non_iid": {}})
    ours = bool(audit.get_issues("non_iid")["is_non_iid_issue"].any())
    return ours, bool(lab.get_issues("non_iid")["is_non_iid_issue"].any())


def part_non_iid(sizes: list[int], seeds: list[int]) -> dict:
    """Detection rate of the non-IID test: IID order (false alarms) and a drifting order."""
    rows = []
    for n in sizes:
        for seed in seeds:
            d = make_data(n, seed=seed)
            rng = np.random.default_rng(seed)
            iid = np.arange(d.labels.size)
            # drift: rows sorted by a noisy projection of the features
            drift = np.argsort(d.features[:, 0] + rng.normal(0.0, 1.0, d.labels.size))
            for name, order, feats in (
                ("IID order, features", iid, True),
                ("drifting order, features", drift, True),
                ("IID order, pred_probs only", iid, False),
            ):
                ours, theirs = _non_iid_only(d, order, features=feats)
                rows.append(
                    {"n": n, "seed": seed, "case": name, "goldlabel": ours, "datalab": theirs}
                )
    print("\n## (d2) non_iid: fraction of datasets flagged\n")
    print("| case | N | goldlabel | Datalab |")
    print("|---|---|---|---|")
    for name in dict.fromkeys(r["case"] for r in rows):
        for n in sizes:
            sel = [r for r in rows if r["case"] == name and r["n"] == n]
            print(
                f"| {name} | {n:.0e} | {np.mean([r['goldlabel'] for r in sel]):.2f} | "
                f"{np.mean([r['datalab'] for r in sel]):.2f} |"
            )
    return {"rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a few minutes")
    parser.add_argument("--parts", default="abcd", help="which parts to run, e.g. 'acd'")
    parser.add_argument("--speed-n", type=int, default=None)
    parser.add_argument("--scale-n", type=int, default=None)
    parser.add_argument("--timeout", type=float, default=1800.0, help="per subprocess, seconds")
    parser.add_argument("--worker", choices=["goldlabel", "datalab"], help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.n, args.seed)
        return
    speed_n = args.speed_n or (10_000 if args.quick else 100_000)
    scale_n = args.scale_n or (50_000 if args.quick else 1_000_000)
    sizes = [1_000] if args.quick else [1_000, 10_000]
    seeds = [0, 1] if args.quick else [0, 1, 2]
    out: dict = {
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "threads": os.environ.get("OPENBLAS_NUM_THREADS"),
        },
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": args.quick,
    }
    if "a" in args.parts:
        out["speed"] = part_speed(speed_n, args.timeout)
    if "b" in args.parts:
        out["scale"] = part_scale(scale_n, args.timeout)
    if "c" in args.parts or "d" in args.parts:
        out["agreement"] = part_agreement(sizes, seeds)
        out["non_iid"] = part_non_iid(sizes, seeds)
    RESULTS.mkdir(parents=True, exist_ok=True)
    suffix = ("_quick" if args.quick else "") + ("" if args.parts == "abcd" else f"_{args.parts}")
    path = RESULTS / f"audit{suffix}.json"
    path.write_text(json.dumps(out, indent=1, default=float))
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
