"""The review table's keyboard latency, measured by the browser itself, on a 1,000,000-row project.

Run ``python benchmarks/studio_browser.py`` (``--quick`` for 100,000 rows and fewer presses). It
generates a project straight into a fresh SQLite store with the backend's bulk writers (dataset rows,
label states with suggestions and scores, one analysis with per-row probabilities), starts the real
studio server, opens the review table in headless Chromium and presses keys:

* ``1`` — label the open row as its most likely class: the next row opens at once and the action
  (one ``POST .../actions``, a logged write) is sent through an ordered queue; both the time to the
  next row painted and the time until the server confirmed the write are reported;
* ``j`` — move to the next row (no request unless a page boundary is crossed).

For each press the page records ``performance.now()`` at ``keydown`` (capture phase), after the
first animation frame that follows the resolver's row change (key press -> next row painted) and,
for ``1``, when the page's save queue is empty again (key press -> saved).
Median and p95 are printed against the 300 ms target, and written with the machine and date to
``benchmarks/results/studio_browser[-quick].json``. There is no peer to compare with: the target is
the yardstick (printed as a ratio).
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import socket
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
RESULTS_DIR = HERE / "results"
TARGET_MS = 300.0
CLASSES = ["World", "Sports", "Business", "Sci/Tech", "Health", "Arts"]
WORDS = np.array(
    "market team vote chip virus film goal bank talks data clinic stage election profit "
    "striker network vaccine museum treaty shares coach launch doctor novel".split()
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Installed in the page: timestamps of each key press and of the frame after the next row shows.
PROBE = """() => {
  window.__lat = [];
  window.__saved = [];
  let t0 = null;
  let pressed = null;
  document.addEventListener('keydown', () => { t0 = performance.now(); pressed = t0; }, true);
  document.addEventListener('gl:saved', () => window.__saved.push(performance.now() - pressed));
  const body = document.getElementById('resolver-body');
  new MutationObserver(() => {
    if (t0 === null) return;
    const start = t0;
    t0 = null;
    requestAnimationFrame(() => setTimeout(() => window.__lat.push(performance.now() - start), 0));
  }).observe(body, { attributes: true, attributeFilter: ['data-row-id'] });
}"""


def build_project(db: Any, n_rows: int, seed: int = 0) -> int:
    """Write a dataset, a project, its label states and one analysis straight into the store."""
    from goldlabel.store.bulk import insert_rows
    from goldlabel.store.tables import Analysis, Dataset, Project

    rng = np.random.default_rng(seed)
    k = len(CLASSES)
    logits = rng.standard_normal((n_rows, k)).astype(np.float32) * 2
    probs = np.exp(logits - logits.max(1, keepdims=True))
    probs /= probs.sum(1, keepdims=True)
    suggested = probs.argmax(1)
    confidence = probs.max(1)
    given = np.where(rng.random(n_rows) < 0.1, rng.integers(0, k, n_rows), -1)
    issue_score = np.where(given >= 0, 1 - probs[np.arange(n_rows), np.maximum(given, 0)], np.nan)
    words = rng.integers(0, WORDS.size, (n_rows, 8))
    with db.write() as session:
        dataset = Dataset(
            name="bench-1m.csv",
            file_format="csv",
            n_rows=n_rows,
            size_bytes=0,
            columns=[{"name": c, "dtype": "object"} for c in ("id", "text", "label")],
            column_schema={"id": "id", "text": "text", "label": "label"},
            created_by="bench",
        )
        session.add(dataset)
        session.flush()
        insert_rows(
            session,
            "dataset_rows",
            ("dataset_id", "row_id", "data"),
            (
                (
                    dataset.id,
                    i,
                    json.dumps(
                        {
                            "id": i + 1,
                            "text": " ".join(WORDS[words[i]]),
                            "label": CLASSES[given[i]] if given[i] >= 0 else None,
                        }
                    ),
                )
                for i in range(n_rows)
            ),
        )
        project = Project(
            name="Benchmark: 1M rows",
            dataset_id=dataset.id,
            task="multiclass",
            text_columns=["text"],
            feature_columns=[],
            label_column="label",
            classes=CLASSES,
            instructions={"text": "", "examples": {}},
            created_by="bench",
        )
        session.add(project)
        session.flush()
        analysis = Analysis(
            project_id=project.id,
            status="succeeded",
            engine="bench",
            metrics={},
            extra_columns=["suggested_label", "suggested_label_confidence"],
        )
        session.add(analysis)
        session.flush()
        project.current_analysis_id = analysis.id
        insert_rows(
            session,
            "analysis_rows",
            ("analysis_id", "row_id", "label", "pred_probs", "extra"),
            (
                (analysis.id, i, int(given[i]) if given[i] >= 0 else None, probs[i].tobytes(), "{}")
                for i in range(n_rows)
            ),
        )
        insert_rows(
            session,
            "row_states",
            (
                "project_id",
                "row_id",
                "given_label",
                "label",
                "status",
                "source",
                "version",
                "suggested_label",
                "suggested_label_confidence",
                "is_label_issue",
                "label_issue_score",
            ),
            (
                (
                    project.id,
                    i,
                    g := (int(given[i]) if given[i] >= 0 else None),
                    g,
                    "labeled" if g is not None else "unlabeled",
                    "given" if g is not None else None,
                    0,
                    int(suggested[i]),
                    float(confidence[i]),
                    bool(g is not None and issue_score[i] > 0.8),
                    None if g is None else float(issue_score[i]),
                )
                for i in range(n_rows)
            ),
        )
        return int(project.id)


def start_server(db: Any) -> tuple[str, Any, threading.Thread]:
    """The studio's server on a free loopback port, in a daemon thread."""
    import uvicorn

    from goldlabel.server import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the studio server did not start")
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server, thread


def summarize(values: list[float]) -> dict[str, float]:
    """Median, p95, mean, min and max of latencies in ms."""
    arr = np.asarray(values)
    return {
        "n": int(arr.size),
        "median_ms": float(np.median(arr)),
        "p95_ms": float(np.percentile(arr, 95)),
        "mean_ms": float(arr.mean()),
        "min_ms": float(arr.min()),
        "max_ms": float(arr.max()),
    }


VIEWS = {
    "all rows by id": {},
    "unlabeled": {"status": "unlabeled"},
    "label issues by score": {"issue": "label", "sort": "label_issue_score", "order": "desc"},
    "least confident": {"sort": "suggested_label_confidence", "order": "asc"},
    "text search": {"search": "vaccine museum"},
    "page 1000 (offset 49,950)": {"offset": 49_950},
}


def time_api(url: str, pid: int, reps: int = 5) -> dict[str, Any]:
    """Median server time of one 50-row page (with its total) for common review-table views."""
    import httpx

    out: dict[str, Any] = {}
    with httpx.Client(base_url=url, timeout=120) as client:
        for name, params in VIEWS.items():
            times = []
            for _ in range(reps):
                t0 = time.perf_counter()
                res = client.get(f"/api/projects/{pid}/rows", params={"limit": 50, **params})
                times.append((time.perf_counter() - t0) * 1000)
                res.raise_for_status()
            out[name] = {"median_ms": float(np.median(times)), "total": res.json()["total"]}
    return out


def measure(url: str, pid: int, presses: int, chromium: str) -> dict[str, Any]:
    """Open the review table and time ``presses`` presses of each key."""
    from playwright.sync_api import sync_playwright

    out: dict[str, Any] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1360, "height": 860})
        t0 = time.perf_counter()
        page.goto(f"{url}/projects/{pid}/review")
        page.wait_for_selector("#resolver-body[data-row-id]", timeout=120_000)
        page.wait_for_selector("#r-top li .prob:not(:empty)", timeout=120_000)
        out["first_page_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        page.goto(f"{url}/projects/{pid}/review?issue=label&sort=label_issue_score&order=desc")
        page.wait_for_selector("#resolver-body[data-row-id]", timeout=120_000)
        out["issues_sorted_page_s"] = time.perf_counter() - t0
        page.goto(f"{url}/projects/{pid}/review?status=unlabeled")
        page.wait_for_selector("#r-top li .prob:not(:empty)", timeout=120_000)
        page.evaluate(PROBE)
        for key, name in (("1", "label_key"), ("j", "next_key")):
            page.evaluate("() => { window.__lat = []; window.__saved = []; }")
            saves = key == "1"
            for i in range(presses):
                page.keyboard.press(key)
                page.wait_for_function(
                    "([n, s]) => window.__lat.length >= n && (!s || window.__saved.length >= n)",
                    arg=[i + 1, saves],
                    timeout=30_000,
                )
            out[name] = summarize(page.evaluate("() => window.__lat"))
            if saves:
                out[name + "_saved"] = summarize(page.evaluate("() => window.__saved"))
        browser.close()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 rows, 50 presses")
    parser.add_argument("--rows", type=int, default=None, help="rows in the project")
    parser.add_argument("--presses", type=int, default=None, help="presses per key (>= 50)")
    args = parser.parse_args(argv)
    n_rows = args.rows or (100_000 if args.quick else 1_000_000)
    presses = max(50, args.presses or (50 if args.quick else 100))
    chromium = shutil.which("chromium")
    if chromium is None:
        print("chromium is not installed; this benchmark needs it", file=sys.stderr)
        return 2

    from goldlabel.store import open_database

    with tempfile.TemporaryDirectory(prefix="goldlabel-bench-") as tmp:
        db = open_database(data_dir=Path(tmp) / "data")
        t0 = time.perf_counter()
        pid = build_project(db, n_rows)
        build_s = time.perf_counter() - t0
        print(f"built a {n_rows:,}-row project in {build_s:.1f} s")
        url, server, thread = start_server(db)
        try:
            timings = measure(url, pid, presses, chromium)
            timings["api_pages"] = time_api(url, pid)
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            db.dispose()
    result = {
        "benchmark": "studio_browser",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "python": platform.python_version()},
        "n_rows": n_rows,
        "presses": presses,
        "build_s": build_s,
        "target_ms": TARGET_MS,
        **timings,
    }
    print(f"first review page (rows + total + probabilities): {timings['first_page_s']:.2f} s")
    print(f"label-issue view sorted by score: {timings['issues_sorted_page_s']:.2f} s")
    for name, what in (
        ("label_key", "key 1 (label)"),
        ("label_key_saved", "key 1 -> saved (server)"),
        ("next_key", "key j (next row)"),
    ):
        s = timings[name]
        print(
            f"{what:24s}: median {s['median_ms']:.1f} ms, "
            f"p95 {s['p95_ms']:.1f} ms, max {s['max_ms']:.1f} ms over {s['n']} presses; "
            f"p95 / target = {s['p95_ms'] / TARGET_MS:.2f}"
        )
    for name, t in timings["api_pages"].items():
        print(f"GET rows, {name:26s}: median {t['median_ms']:.1f} ms (total {t['total']:,})")
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"studio_browser{'-quick' if args.quick else ''}.json"
    path.write_text(json.dumps(result, indent=2))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
