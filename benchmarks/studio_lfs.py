"""Labeling functions in the studio at scale: previews as you type, the LF table, the label model's
proposal, and applying it (one logged action) then undoing it, on a generated news project (SQLite).

Target (issue 6): a preview of a draft LF on a 100,000-row project answers well under a second.

Peer: the library path a notebook user would take on the same rows, in memory, in the same run:
``summarize_lfs(apply_lfs(frame, saved_lfs + [draft]), labels=...)`` — it re-applies every LF on each
keystroke, where the studio caches the text and each saved LF's matches. Snorkel is not installed here.

Run: ``python benchmarks/studio_lfs.py`` (100,000 rows) or ``--quick`` (20,000 rows).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from goldlabel.service import weak_labels as W
from goldlabel.service import weak_model as M
from goldlabel.service.actions import undo_action
from goldlabel.service.demo import NEWS_CLASSES, generate_news_frame
from goldlabel.service.importing import import_dataset
from goldlabel.service.projects import create_project
from goldlabel.store import open_database
from goldlabel.weak import KeywordLF, apply_lfs, summarize_lfs

SAVED = [
    ("Sports", ["team", "coach", "league"]),
    ("Sports", ["goal", "striker"]),
    ("World", ["minister", "election", "parliament"]),
    ("World", ["treaty", "embassy"]),
    ("Business", ["shares", "profit", "investors"]),
    ("Business", ["merger", "earnings"]),
    ("Sci/Tech", ["software", "internet", "browser"]),
    ("Sci/Tech", ["satellite", "robot"]),
]
DRAFTS = ["s", "sc", "sco", "scor", "score", "score, final", "score, final, cup"]  # typing


def _time(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="20,000 rows instead of 100,000")
    args = parser.parse_args()
    n = 20_000 if args.quick else 100_000
    frame, _ = generate_news_frame(n, labeled_fraction=0.3, noise=0.05, random_state=0)
    folder = tempfile.mkdtemp(prefix="gl-lfs-bench-")
    db = open_database(data_dir=folder)
    with db.write() as session:
        ds = import_dataset(session, frame.to_csv(index=False).encode(), filename="news.csv")
        pid = create_project(session, ds.id, name="news", classes=list(NEWS_CLASSES)).id
        for label, words in SAVED:
            W.create_lf(session, pid, kind="keyword", label=label, keywords=words, user="bench")
    results: dict[str, float] = {}
    with db.read() as session:
        results["first_preview_s (loads the text)"], _ = _time(
            lambda: W.preview_lf(session, pid, kind="keyword", label="Sports", keywords=["cup"])
        )
        typing = []
        for draft in DRAFTS:
            words = [w.strip() for w in draft.split(",")]
            t, _ = _time(
                lambda words=words: W.preview_lf(
                    session, pid, kind="keyword", label="Sports", keywords=words
                )
            )
            typing.append(t)
        results["preview_new_draft_median_s"] = statistics.median(typing)
        results["preview_new_draft_max_s"] = max(typing)
        regex = [r"\bsc", r"\bscor", r"\bscor(e|ed)\b", r"\bscor(e|ed|es)\b"]
        results["preview_new_regex_median_s"] = statistics.median(
            _time(lambda p=p: W.preview_lf(session, pid, kind="regex", label="Sports", pattern=p))[
                0
            ]
            for p in regex
        )
        results["preview_repeat_median_s"], _ = _time(
            lambda: W.preview_lf(session, pid, kind="keyword", label="Sports", keywords=["score"]),
            repeat=5,
        )
        results["list_lfs_with_stats_s (fits the label model)"], _ = _time(
            lambda: W.list_lfs(session, pid, with_stats=True)
        )
        results["proposal_s"], proposal = _time(
            lambda: M.propose_weak_labels(session, pid, threshold=0.5), repeat=3
        )
        results["issues_s"], _ = _time(
            lambda: M.find_weak_label_issues(session, pid, min_confidence=0.9), repeat=3
        )
    with db.write() as session:
        results["apply_s"], (_, action) = _time(
            lambda: M.apply_weak_labels(session, pid, threshold=0.5, user="bench")
        )
    with db.write() as session:
        results["undo_s"], _ = _time(
            lambda: undo_action(session, pid, action.action_id, user="bench")
        )
    # peer: the library, in memory, re-applying every LF per keystroke
    lfs = [KeywordLF(w, NEWS_CLASSES.index(c), name=f"lf{i}") for i, (c, w) in enumerate(SAVED)]
    text = frame[["title", "description"]].astype(str).agg(" ".join, axis=1).to_frame("text")
    gold = np.array([NEWS_CLASSES.index(v) if isinstance(v, str) else -1 for v in frame["label"]])
    peer = []
    for draft in DRAFTS:
        words = [w.strip() for w in draft.split(",")]
        t, _ = _time(
            lambda words=words: summarize_lfs(
                apply_lfs(text, [*lfs, KeywordLF(words, 1, name="draft")]), labels=gold
            )
        )
        peer.append(t)
    results["peer_library_preview_median_s"] = statistics.median(peer)
    ratio = results["peer_library_preview_median_s"] / results["preview_new_draft_median_s"]
    for key, value in results.items():
        print(f"{key:48s} {value:8.3f}")
    print(f"{'rows':48s} {n:8d}")
    print(f"{'rows applied':48s} {action.n_rows if action else 0:8d}")
    print(f"{'speed-up of a preview vs the library path':48s} {ratio:8.2f}x")
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    record = {
        "benchmark": "studio_lfs",
        "rows": n,
        "results": results,
        "n_to_label": proposal["n_to_label"],
        "speedup_vs_library": ratio,
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "date": datetime.now(UTC).isoformat(),
    }
    path = out / f"studio_lfs{'_quick' if args.quick else ''}.json"
    path.write_text(json.dumps(record, indent=2))
    print(f"wrote {path}")
    db.dispose()


if __name__ == "__main__":
    main()
