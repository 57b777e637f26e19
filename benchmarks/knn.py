"""Speed, recall and memory of goldlabel's neighbour graph against its peers, in the same run.

Run ``python benchmarks/knn.py`` for N = 1e4 and 1e5 (x 32 dims, gaussian blobs, cosine as Datalab's
"auto" picks above 3 dims), ``--full`` to add N = 1e6, ``--quick`` for N = 1e4 only. Every case runs
in a fresh subprocess (``--case METHOD:N``) that builds the same data, times one build and reports its
peak resident memory; the parent prints a markdown table with ratios and writes every number to
``benchmarks/results/knn-<date>.json``.

Methods (k = 10 other neighbours per example):

* ``gl_default`` - ``goldlabel.knn.build_knn_graph(x)``: exact up to ``DEFAULT_EXACT_MAX_N`` rows,
  the measured approximate search beyond; its recall is measured on 1000 rows it did not tune on;
* ``gl_exact``   - the same with ``exact_max_n`` above N (faiss brute force + float64 re-ranking);
* ``sklearn``    - ``NearestNeighbors(metric="cosine", algorithm="brute")`` as Datalab builds it;
* ``faiss_flat`` - ``faiss.IndexFlatIP`` on normalised vectors, k + 1 neighbours (self included);
* ``faiss_ivf``  - ``faiss.IndexIVFFlat`` (sqrt(N) lists) at the smallest nprobe of a ladder that
  reaches recall 0.95 on 1000 rows (``KNN_TARGET_RECALL`` to change), timed for that nprobe only
  (the ladder itself is not timed, which flatters this peer).

Brute-force peers are skipped where they would take many minutes (sklearn above ``--sklearn-max-n``,
faiss flat and goldlabel exact above 1e5). ``--real`` adds recall/time of the default on real data (digits; AG News TF-IDF + SVD 100 dims
when ``../shared/data`` is there), with ``exact_max_n`` lowered so the approximate path runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
RESULTS_DIR = HERE / "results"
MARKER = "@@KNN-RESULT@@ "
K = 10
DIM = 32
SHARED = HERE.parent.parent / "shared" / "data"


def make_blobs(n: int, d: int = DIM, *, seed: int = 0) -> np.ndarray:
    """10 unit-variance gaussian blobs, float32 (as the audit benchmark's features)."""
    rng = np.random.default_rng(seed)
    centres = 3.0 * rng.standard_normal((10, d))
    x = rng.standard_normal((n, d), dtype=np.float32)
    x += centres[rng.integers(0, 10, n)].astype(np.float32)
    return x


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _faiss_ivf(
    x: np.ndarray, target: float, sample: np.ndarray, true_d: np.ndarray
) -> dict[str, Any]:
    import faiss

    from goldlabel.knn.recall import recall_by_rank
    from goldlabel.knn.rerank import rerank_candidates

    xn = x / np.linalg.norm(x, axis=1, keepdims=True)
    n, d = xn.shape
    nlist = int(np.sqrt(n))
    t0 = time.perf_counter()
    index = faiss.IndexIVFFlat(faiss.IndexFlatIP(d), d, nlist, faiss.METRIC_INNER_PRODUCT)
    index.cp.seed = 0
    index.train(xn[np.random.default_rng(0).choice(n, min(n, 64 * nlist), replace=False)])
    index.add(xn)
    build = time.perf_counter() - t0
    for nprobe in (4, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256):
        index.nprobe = nprobe
        _, cand = index.search(xn[sample], K + 1)
        _, found, _ = rerank_candidates(x, sample, cand, K, "cosine")
        recall = float(recall_by_rank(found, true_d)[:, -1].mean())
        if recall >= target or nprobe >= nlist:
            break
    t0 = time.perf_counter()
    index.search(xn, K + 1)
    return {
        "seconds": build + time.perf_counter() - t0,
        "nprobe": nprobe,
        "nlist": nlist,
        "recall": recall,
    }


def run_case(method: str, n: int) -> dict[str, Any]:
    """One build in this process; the parent reads the printed result."""
    x = make_blobs(n)
    import faiss  # imports are not the build's memory
    import sklearn.neighbors  # noqa: F401

    import goldlabel.knn  # noqa: F401

    base = _peak_mib()
    out: dict[str, Any] = {"method": method, "n": n, "dim": DIM, "k": K}
    if method in ("gl_default", "gl_exact"):
        from goldlabel.knn import build_knn_graph, measure_recall

        t0 = time.perf_counter()
        cpu0 = time.process_time()
        options = {"exact_max_n": n} if method == "gl_exact" else {}
        graph = build_knn_graph(x, k=K, **options)
        out["seconds"] = time.perf_counter() - t0
        out["cpu_seconds"] = time.process_time() - cpu0
        out["peak_extra_mib"] = _peak_mib() - base
        out["exact"] = graph.exact
        out["recorded_recall"] = graph.recall
        out["info"] = {k: v for k, v in graph.info.items() if isinstance(v, (int, float, str))}
        if not graph.exact:
            out["recall"] = measure_recall(x, graph, sample=1000, random_state=12345)
    elif method == "sklearn":
        from sklearn.neighbors import NearestNeighbors

        t0 = time.perf_counter()
        NearestNeighbors(n_neighbors=K, metric="cosine", algorithm="brute").fit(x).kneighbors()
        out["seconds"] = time.perf_counter() - t0
        out["peak_extra_mib"] = _peak_mib() - base
    elif method == "faiss_flat":
        import faiss

        t0 = time.perf_counter()
        xn = x / np.linalg.norm(x, axis=1, keepdims=True)
        index = faiss.IndexFlatIP(DIM)
        index.add(xn)
        index.search(xn, K + 1)
        out["seconds"] = time.perf_counter() - t0
        out["peak_extra_mib"] = _peak_mib() - base
    elif method == "faiss_ivf":
        from goldlabel.knn.exact import prepare_float32
        from goldlabel.knn.recall import exact_rows

        sample = np.sort(np.random.default_rng(12345).choice(n, 1000, replace=False))
        _, true_d = exact_rows(x, prepare_float32(x, "cosine"), sample, K, "cosine")
        target = float(os.environ.get("KNN_TARGET_RECALL", "0.95"))
        out.update(_faiss_ivf(x, target, sample, true_d))
        out["peak_extra_mib"] = _peak_mib() - base
    else:
        raise SystemExit(f"unknown method {method!r}")
    return out


def run_real() -> list[dict[str, Any]]:
    """Recall and time of the approximate path on real data (exact_max_n lowered)."""
    from sklearn.datasets import load_digits

    from goldlabel.knn import build_knn_graph, measure_recall

    sets: list[tuple[str, np.ndarray]] = [("digits 1797x64", load_digits().data.astype(np.float64))]
    news = SHARED / "ag_news" / "full_test_mhjabreel" / "test.csv"
    if news.exists():
        import pandas as pd
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        frame = pd.read_csv(news, header=None)
        text = (frame[1].astype(str) + " " + frame[2].astype(str)).tolist()
        tfidf = TfidfVectorizer(min_df=2, sublinear_tf=True).fit_transform(text)
        emb = TruncatedSVD(100, random_state=0).fit_transform(tfidf)
        sets.append((f"AG News TF-IDF+SVD {emb.shape[0]}x100", emb))
    rows = []
    for name, x in sets:
        t0 = time.perf_counter()
        graph = build_knn_graph(x, k=K, exact_max_n=500)
        seconds = time.perf_counter() - t0
        t0 = time.perf_counter()
        build_knn_graph(x, k=K, exact_max_n=len(x))
        exact_seconds = time.perf_counter() - t0
        rows.append(
            {
                "data": name,
                "method": graph.info.get("method"),
                "n_probe": graph.info.get("n_probe"),
                "nlist": graph.info.get("nlist"),
                "recorded_recall": graph.recall,
                "recall": measure_recall(x, graph, sample=1000, random_state=12345),
                "seconds": seconds,
                "exact_seconds": exact_seconds,
            }
        )
    return rows


def _spawn(method: str, n: int) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--case", f"{method}:{n}"]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    for line in proc.stdout.splitlines():
        if line.startswith(MARKER):
            return json.loads(line[len(MARKER) :])
    return {"method": method, "n": n, "error": proc.stderr.strip()[-500:]}


def _fmt(value: Any, spec: str = ".2f") -> str:
    return "-" if value is None else format(value, spec)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N = 1e4 only")
    parser.add_argument("--full", action="store_true", help="add N = 1e6")
    parser.add_argument("--real", action="store_true", help="add recall on real data")
    parser.add_argument(
        "--sklearn-max-n", type=int, default=100_000, help="skip sklearn above this N (slow)"
    )
    parser.add_argument("--case", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        method, n = args.case.split(":")
        print(MARKER + json.dumps(run_case(method, int(n))), flush=True)
        return
    sizes = [10_000] if args.quick else [10_000, 100_000] + ([1_000_000] if args.full else [])
    results: list[dict[str, Any]] = []
    print("| N | method | seconds | vs sklearn | vs faiss flat | recall | peak extra MiB | notes |")
    print("|---|---|---|---|---|---|---|---|")
    for n in sizes:
        methods = ["gl_default", "faiss_ivf"]
        if n <= 100_000:  # brute force at 1e6 takes many minutes
            methods += ["faiss_flat", "gl_exact"]
        if n <= args.sklearn_max_n:
            methods += ["sklearn"]
        rows = {m: _spawn(m, n) for m in methods}
        results.extend(rows.values())
        ref_sk = rows.get("sklearn", {}).get("seconds")
        ref_ff = rows.get("faiss_flat", {}).get("seconds")
        for m, r in rows.items():
            s = r.get("seconds")
            notes = r.get("error", "")
            if "info" in r:
                notes = ", ".join(f"{a}={b}" for a, b in r["info"].items() if "seconds" not in a)
            if m == "faiss_ivf" and "nprobe" in r:
                notes = f"nlist={r['nlist']}, nprobe={r['nprobe']}"
            print(
                f"| {n:.0e} | {m} | {_fmt(s)} | {_fmt(ref_sk / s if ref_sk and s else None, '.1f')}x"
                f" | {_fmt(ref_ff / s if ref_ff and s else None, '.1f')}x | {_fmt(r.get('recall'), '.4f')}"
                f" | {_fmt(r.get('peak_extra_mib'), '.0f')} | {notes} |",
                flush=True,
            )
    real = run_real() if args.real else []
    for r in real:
        print(
            f"real data {r['data']}: method={r['method']} nlist={r['nlist']} n_probe={r['n_probe']} "
            f"recall={r['recall']:.4f} (recorded {r['recorded_recall']:.4f}) "
            f"{r['seconds']:.2f}s vs exact {r['exact_seconds']:.2f}s"
        )
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = RESULTS_DIR / f"knn-{stamp}{'-quick' if args.quick else ''}.json"
    meta = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "threads": {v: os.environ.get(v) for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")},
    }
    path.write_text(json.dumps({"meta": meta, "synthetic": results, "real": real}, indent=2))
    print(f"\nwrote {path} (load average {meta['load_average'][0]:.1f} on {meta['cpus']} cpus)")


if __name__ == "__main__":
    main()
