"""Speed and memory of goldlabel's confident-learning core against cleanlab, in the same run.

Run ``python benchmarks/core.py`` (``make bench``) for the full benchmark, ``--quick`` for a smoke run.
Every case runs in a fresh subprocess (``python benchmarks/core.py --case KIND:SIZE``) that loads
cached ``.npy`` inputs, times ``--reps`` repetitions and reports its peak extra memory; the parent
process stays small, compares goldlabel's outputs with cleanlab's, prints a markdown table to stdout
and writes every number to ``benchmarks/results/core-<date>.json`` (``-quick`` added for --quick). See ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import hashlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
DATA_DIR = HERE / ".data"
OUT_DIR = DATA_DIR / "out"
RESULTS_DIR = HERE / "results"
MARKER = "@@BENCH-RESULT@@ "
DATA_VERSION = "v1"  # bump when the generator changes, so stale caches are not reused
MIB = 1024.0 * 1024.0
GEN_CHUNK_BYTES = 16 * 1024 * 1024  # logits generated per chunk

FULL_SIZES = ["1e6x10", "1e6x100", "1e5x1000"]
QUICK_SIZES = ["1e5x10", "1e5x100", "1e4x1000"]
FULL_STREAM_SIZE = "1e7x10"
QUICK_STREAM_SIZE = "5e5x10"

# Case kinds: fli = find_label_issues, lqs_sc / lqs_nm = label-quality scores (self_confidence /
# normalized_margin); _cl = cleanlab (default n_jobs), _cl1 = cleanlab n_jobs=1, _gl = goldlabel.
FLI_KINDS = ["fli_cl", "fli_cl1", "fli_gl"]
LQS_KINDS = ["lqs_sc_cl", "lqs_sc_gl", "lqs_nm_cl", "lqs_nm_gl"]
STREAM_KINDS = ["stream_gl", "stream_ref"]
CLEANLAB_KINDS = ["fli_cl", "fli_cl1", "lqs_sc_cl", "lqs_nm_cl"]


# ----------------------------------------------------------------------------------------------
# sizes and data
# ----------------------------------------------------------------------------------------------


def parse_size(size: str) -> tuple[int, int]:
    """``'1e6x10'`` -> ``(1_000_000, 10)``."""
    try:
        n_text, k_text = size.lower().split("x")
        n, k = int(float(n_text)), int(float(k_text))
    except ValueError:
        raise SystemExit(f"bad size {size!r}: expected NxK such as 1e6x10") from None
    if n < 1 or k < 2:
        raise SystemExit(f"bad size {size!r}: need N >= 1 and K >= 2")
    return n, k


def data_paths(size: str, data_dir: Path = DATA_DIR) -> dict[str, Path]:
    n, k = parse_size(size)
    stem = f"synth-{DATA_VERSION}-n{n}-k{k}-seed0"
    return {part: data_dir / f"{stem}.{part}.npy" for part in ("pred_probs", "labels", "flip")}


def _write_npy_header(f: Any, shape: tuple[int, ...], dtype: np.dtype) -> None:
    header = {"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False, "shape": shape}
    np.lib.format.write_array_header_1_0(f, header)


def generate(size: str, data_dir: Path = DATA_DIR, *, seed: int = 0, noise: float = 0.1) -> None:
    """Write the synthetic inputs of one size, row chunk by row chunk.

    The random stream is drawn in the same order as one whole-array draw (true labels, flip
    coins, flip offsets, then the N×K normal logits), so the chunked result is bit-identical to
    generating everything at once; only one chunk of logits is in memory at a time.
    """
    n, k = parse_size(size)
    paths = data_paths(size, data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, k, n)
    flip = rng.random(n) < noise
    labels = y_true.copy()
    labels[flip] = (y_true[flip] + rng.integers(1, k, int(flip.sum()))) % k  # a different class
    margin = 1.5 + np.sqrt(2 * np.log(k))
    rows_per_chunk = max(1, GEN_CHUNK_BYTES // (4 * k))
    tmp = paths["pred_probs"].with_suffix(".tmp")
    with open(tmp, "wb") as f:
        _write_npy_header(f, (n, k), np.dtype(np.float32))
        for start in range(0, n, rows_per_chunk):
            stop = min(start + rows_per_chunk, n)
            logits = rng.standard_normal((stop - start, k), dtype=np.float32)
            logits[np.arange(stop - start), y_true[start:stop]] += margin
            logits -= logits.max(axis=1, keepdims=True)
            np.exp(logits, out=logits)
            logits /= logits.sum(axis=1, keepdims=True)
            f.write(logits.tobytes())
    for part, array in (("labels", labels.astype(np.int64, copy=False)), ("flip", flip)):
        part_tmp = paths[part].with_suffix(".tmp")
        with open(part_tmp, "wb") as f:
            np.save(f, array)
        part_tmp.replace(paths[part])
    tmp.replace(paths["pred_probs"])  # last: its presence means the set is complete


# ----------------------------------------------------------------------------------------------
# the case worker (runs in a fresh subprocess)
# ----------------------------------------------------------------------------------------------


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not found in /proc/self/status")


def _reset_hwm() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0), so it measures the timed calls only."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return False
    return True


def _cleanlab_default_jobs() -> tuple[int, str]:
    """What ``n_jobs=None`` becomes inside cleanlab.filter.find_label_issues on this machine."""
    import multiprocessing

    try:
        import psutil
    except ImportError:
        return multiprocessing.cpu_count(), "logical cores (psutil not installed)"
    physical = psutil.cpu_count(logical=False)
    if physical:
        return int(physical), "physical cores (psutil)"
    return multiprocessing.cpu_count(), "logical cores (psutil could not count physical cores)"


def _fingerprint(out: np.ndarray) -> dict[str, Any]:
    arr = np.ascontiguousarray(out)
    digest = hashlib.sha256(arr.tobytes()).hexdigest()[:16]
    info: dict[str, Any] = {"dtype": str(arr.dtype), "shape": list(arr.shape), "sha256_16": digest}
    if arr.dtype == bool:
        info["n_flagged"] = int(arr.sum())
    else:
        info["sum"] = float(arr.sum(dtype=np.float64))
        info["min"] = float(arr.min()) if arr.size else None
    return info


def _quality(out: np.ndarray, flip: np.ndarray) -> dict[str, Any]:
    """Precision/recall of a mask, or AUROC of a score (lower = more likely flipped)."""
    if out.dtype == bool:
        hits = int((out & flip).sum())
        return {
            "precision": hits / max(1, int(out.sum())),
            "recall": hits / max(1, int(flip.sum())),
        }
    from scipy.stats import rankdata

    ranks = rankdata(-out.astype(np.float64))  # flipped examples should rank high
    n_pos, n_neg = int(flip.sum()), int((~flip).sum())
    if n_pos == 0 or n_neg == 0:
        return {"auroc": None}
    return {"auroc": float((ranks[flip].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))}


def _as_mask(result: Any, n: int) -> np.ndarray:
    """Accept a boolean mask or flagged indices (the streaming API's return type is its own)."""
    arr = np.asarray(result)
    if arr.dtype == bool and arr.shape == (n,):
        return arr
    if np.issubdtype(arr.dtype, np.integer) and arr.ndim == 1:
        mask = np.zeros(n, dtype=bool)
        mask[arr] = True
        return mask
    raise TypeError(f"unexpected result: {type(result).__name__} {arr.dtype} {arr.shape}")


def _build_case(kind: str, size: str) -> tuple[Callable[[], Any], dict[str, Any], dict[str, Path]]:
    """Import what the case needs, load its inputs, and return a zero-argument closure."""
    paths = data_paths(size)
    info: dict[str, Any] = {}
    if kind in CLEANLAB_KINDS:
        import cleanlab
        import cleanlab.filter
        import cleanlab.rank

        info["library"] = f"cleanlab {cleanlab.__version__}"
    else:
        import goldlabel.core
        from goldlabel.core.scan import default_n_jobs

        info["library"] = "goldlabel"
        info["goldlabel_default_n_jobs"] = default_n_jobs()

    if kind == "stream_gl":
        try:
            from goldlabel.core.streaming import find_label_issues_streaming
        except ImportError as exc:
            raise _Skip(f"streaming not available ({exc})") from None
        labels = np.load(paths["labels"])
        path = str(paths["pred_probs"])
        n = labels.shape[0]
        info["call"] = "goldlabel.core.streaming.find_label_issues_streaming(path, labels)"
        return (lambda: _as_mask(find_label_issues_streaming(path, labels), n)), info, paths

    labels = np.load(paths["labels"])
    pred_probs = np.load(paths["pred_probs"])
    if kind == "fli_cl":
        jobs, why = _cleanlab_default_jobs()
        info["n_jobs"] = jobs
        info["n_jobs_source"] = why
        info["call"] = "cleanlab.filter.find_label_issues(labels, pred_probs)"
        return (lambda: cleanlab.filter.find_label_issues(labels, pred_probs)), info, paths
    if kind == "fli_cl1":
        info["n_jobs"] = 1
        info["call"] = "cleanlab.filter.find_label_issues(labels, pred_probs, n_jobs=1)"
        return (
            (lambda: cleanlab.filter.find_label_issues(labels, pred_probs, n_jobs=1)),
            info,
            paths,
        )
    if kind in ("fli_gl", "stream_ref"):
        info["call"] = "goldlabel.core.find_label_issues(labels, pred_probs)"
        return (lambda: goldlabel.core.find_label_issues(labels, pred_probs)), info, paths
    method = {"sc": "self_confidence", "nm": "normalized_margin"}[kind.split("_")[1]]
    if kind.endswith("_cl"):
        info["call"] = (
            f"cleanlab.rank.get_label_quality_scores(labels, pred_probs, method={method!r})"
        )
        rank = cleanlab.rank
        return (
            (lambda: rank.get_label_quality_scores(labels, pred_probs, method=method)),
            info,
            paths,
        )
    info["call"] = (
        f"goldlabel.core.compute_label_quality_scores(labels, pred_probs, method={method!r})"
    )
    score = goldlabel.core.compute_label_quality_scores
    return (lambda: score(labels, pred_probs, method=method)), info, paths


class _Skip(Exception):
    """The case cannot run here (never a faked result)."""


def run_case(name: str, reps: int) -> dict[str, Any]:
    kind, size = name.split(":")
    result: dict[str, Any] = {"case": name, "kind": kind, "size": size}
    if kind not in FLI_KINDS + LQS_KINDS + STREAM_KINDS:
        raise SystemExit(f"unknown case kind {kind!r}")
    try:
        fn, info, paths = _build_case(kind, size)
    except _Skip as skip:
        result["skipped"] = str(skip)
        return result
    result.update(info)
    gc.collect()
    rss_before = _status_kib("VmRSS")
    result["vmhwm_reset"] = _reset_hwm()
    times: list[float] = []
    out: Any = None
    for _ in range(reps):
        out = None  # free the previous output so every repetition starts alike
        gc.collect()
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    hwm = _status_kib("VmHWM")
    ru_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    ru_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result.update(
        times_s=times,
        best_s=min(times),
        median_s=statistics.median(times),
        rss_before_mib=rss_before / 1024,
        peak_rss_mib=ru_self / 1024,
        peak_extra_mib=(ru_self - rss_before) / 1024,
        vmhwm_mib=hwm / 1024,
        vmhwm_extra_mib=(hwm - rss_before) / 1024,
        children_peak_rss_mib=ru_children / 1024,
    )
    out = np.asarray(out)
    result["fingerprint"] = _fingerprint(out)
    result["quality"] = _quality(out, np.load(paths["flip"]))
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    out_path = OUT_DIR / f"{kind}-{size}.npy"
    np.save(out_path, out)
    result["output_file"] = str(out_path)
    return result


# ----------------------------------------------------------------------------------------------
# the parent: orchestrate, compare, report
# ----------------------------------------------------------------------------------------------


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _run_sub(args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, str(Path(__file__).resolve()), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)


def ensure_data(size: str, timeout: float) -> None:
    if data_paths(size)["pred_probs"].exists():
        return
    _log(f"generating {size} into {DATA_DIR} ...")
    proc = _run_sub(["--gen", size], timeout)
    if proc.returncode != 0:
        raise SystemExit(f"data generation for {size} failed:\n{proc.stderr[-4000:]}")


def _cleanlab_missing(timeout: float) -> str | None:
    """Why cleanlab cannot be imported (checked in a subprocess, to keep this process small)."""
    probe = "import cleanlab, cleanlab.filter, cleanlab.rank"
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=timeout, check=False
    )
    if proc.returncode == 0:
        return None
    return (proc.stderr.strip().splitlines()[-1:] or [f"exit {proc.returncode}"])[0]


def streaming_missing(timeout: float) -> str | None:
    """Why the streaming API cannot be imported (checked in a subprocess), or None."""
    probe = "from goldlabel.core.streaming import find_label_issues_streaming"
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=timeout, check=False
    )
    if proc.returncode == 0:
        return None
    last = proc.stderr.strip().splitlines()[-1:] or [f"exit {proc.returncode}"]
    return f"streaming not available ({last[0]})"


def spawn_case(name: str, reps: int, timeout: float) -> dict[str, Any]:
    _log(f"  {name} ...")
    try:
        proc = _run_sub(["--case", name, "--reps", str(reps)], timeout)
    except subprocess.TimeoutExpired:
        return {"case": name, "error": f"timed out after {timeout:.0f} s"}
    for line in proc.stdout.splitlines():
        if line.startswith(MARKER):
            res = json.loads(line[len(MARKER) :])
            if "median_s" in res:
                _log(
                    f"    median {res['median_s']:.4f} s, peak extra {res['vmhwm_extra_mib']:.1f} MiB"
                )
            elif "skipped" in res:
                _log(f"    skipped: {res['skipped']}")
            return res
    return {"case": name, "error": f"exit {proc.returncode}: {proc.stderr[-4000:]}"}


def compare(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Goldlabel's output against cleanlab's (or the in-memory reference): exact for masks."""
    if "output_file" not in a or "output_file" not in b:
        return {"verdict": "n/a"}
    x, y = np.load(a["output_file"]), np.load(b["output_file"])
    if x.dtype == bool or y.dtype == bool:
        same = x.shape == y.shape and bool(np.array_equal(x, y))
        differ = int((x != y).sum()) if x.shape == y.shape else None
        return {"verdict": "IDENTICAL" if same else "DIFFERENT", "n_differ": differ}
    if x.shape != y.shape:
        return {"verdict": "DIFFERENT", "reason": f"shapes {x.shape} vs {y.shape}"}
    close = bool(np.allclose(x, y))
    diff = float(np.max(np.abs(x.astype(np.float64) - y.astype(np.float64)))) if x.size else 0.0
    return {
        "verdict": "IDENTICAL" if close else "DIFFERENT",
        "bitwise_equal": bool(np.array_equal(x, y)),
        "max_abs_diff": diff,
    }


def machine_info() -> dict[str, Any]:
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(
                (ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), cpu
            )
    except OSError:
        pass
    ram_gib = None
    try:
        with open("/proc/meminfo") as f:
            kib = next(int(ln.split()[1]) for ln in f if ln.startswith("MemTotal:"))
            ram_gib = round(kib / MIB, 1)
    except (OSError, StopIteration):
        pass
    physical = None
    try:
        import psutil

        physical = psutil.cpu_count(logical=False)
    except ImportError:
        pass
    from importlib.metadata import version

    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu_model": cpu,
        "logical_cores": os.cpu_count(),
        "physical_cores": physical,
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "ram_gib": ram_gib,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "numpy": np.__version__,
        "cleanlab": version("cleanlab"),
        "goldlabel": version("goldlabel"),
        "psutil": version("psutil") if physical is not None else None,
    }


def _fmt_t(res: dict[str, Any] | None) -> str:
    if not res:
        return "–"
    if "median_s" in res:
        return f"{res['median_s']:.3f}"
    return "skipped" if "skipped" in res else "ERROR"


def _fmt_mb(res: dict[str, Any] | None) -> str:
    return f"{res['vmhwm_extra_mib']:.0f}" if res and "vmhwm_extra_mib" in res else "–"


def _ratio(num: dict[str, Any] | None, den: dict[str, Any] | None) -> str:
    if num and den and "median_s" in num and "median_s" in den and den["median_s"] > 0:
        return f"{num['median_s'] / den['median_s']:.1f}×"
    return "–"


def _multiple(res: dict[str, Any] | None, size: str) -> str:
    n, k = parse_size(size)
    if res and "vmhwm_extra_mib" in res:
        return f"{res['vmhwm_extra_mib'] / (n * k * 4 / MIB):.2f}×"
    return "–"


def render(report: dict[str, Any]) -> str:
    m = report["machine"]
    lines = [
        f"# goldlabel core vs cleanlab {m['cleanlab']} — {m['date']}",
        "",
        f"- CPU: {m['cpu_model']}; {m['logical_cores']} logical / {m['physical_cores']} physical "
        f"cores ({m['usable_cores']} usable); RAM {m['ram_gib']} GiB",
        f"- Python {m['python']}, numpy {m['numpy']}, cleanlab {m['cleanlab']}, "
        f"goldlabel {m['goldlabel']}, psutil {m['psutil']}",
        f"- cleanlab default n_jobs here: {report.get('cleanlab_default_n_jobs', '?')}; "
        f"goldlabel default n_jobs (threads): {report.get('goldlabel_default_n_jobs', '?')}",
        f"- {report['reps']} repetitions per case, each case in a fresh process; times are medians "
        "in seconds; peak extra = peak RSS (VmHWM) minus RSS after loading the inputs, in MiB",
        "",
        "| case | N×K | cleanlab default | cleanlab n_jobs=1 | goldlabel | ratio default/goldlabel "
        "| ratio n_jobs=1/goldlabel | peak extra MiB cl default | cl n_jobs=1 | goldlabel "
        "| goldlabel peak / pred_probs | identical? |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in report["rows"]:
        cl, cl1, gl = row.get("cl"), row.get("cl1"), row.get("gl")
        lines.append(
            f"| {row['label']} | {row['size']} | {_fmt_t(cl)} | {_fmt_t(cl1)} | {_fmt_t(gl)} "
            f"| {_ratio(cl, gl)} | {_ratio(cl1, gl)} | {_fmt_mb(cl)} | {_fmt_mb(cl1)} "
            f"| {_fmt_mb(gl)} | {_multiple(gl, row['size'])} | {row['identical']} |"
        )
    stream = report.get("stream")
    if stream:
        lines += ["", "Out of core (pred_probs read from a .npy file on disk):", ""]
        if "skipped" in stream:
            lines.append(f"- {stream['size']}: skipped: {stream['skipped']}")
        else:
            st, ref = stream.get("streaming"), stream.get("in_memory")
            n, k = parse_size(stream["size"])
            lines += [
                "| case | N×K | file MiB | streaming median | in-memory median | peak extra MiB "
                "streaming | in-memory | streaming peak / pred_probs | identical? |",
                "|---|---|---|---|---|---|---|---|---|",
                f"| find_label_issues_streaming | {stream['size']} | {n * k * 4 / MIB:.0f} "
                f"| {_fmt_t(st)} | {_fmt_t(ref)} | {_fmt_mb(st)} | {_fmt_mb(ref)} "
                f"| {_multiple(st, stream['size'])} | {stream['identical']} |",
                "",
                _stream_memory_line(st),
            ]
    return "\n".join(lines)


#: The out-of-core case must grow the peak RSS by less than this (decimal megabytes).
STREAM_RSS_LIMIT_MB = 300


def _stream_memory_line(res: dict[str, Any] | None) -> str:
    """The streaming case's peak RSS growth against its 300 MB limit."""
    if not res or "vmhwm_extra_mib" not in res:
        return "- streaming peak RSS growth: not measured"
    grown_mb = res["vmhwm_extra_mib"] * MIB / 1e6
    verdict = "within" if grown_mb < STREAM_RSS_LIMIT_MB else "OVER"
    return (
        f"- streaming peak RSS growth: {grown_mb:.0f} MB ({verdict} the "
        f"{STREAM_RSS_LIMIT_MB} MB limit)"
    )


def _verdict(res: dict[str, Any]) -> str:
    return res["verdict"] if res["verdict"] != "n/a" else "not compared (a case failed)"


def run_all(args: argparse.Namespace) -> int:
    cleanlab_problem = _cleanlab_missing(args.timeout)
    if cleanlab_problem:
        print(
            f"cleanlab cannot be imported ({cleanlab_problem}), so there is nothing to compare "
            f"against and no result is reported. Install it with `{sys.executable} -m pip install "
            "cleanlab==2.9.0 psutil==7.2.2` (or `pip install -e '.[test]'`).",
            file=sys.stderr,
        )
        return 2
    sizes = args.sizes.split(",") if args.sizes else (QUICK_SIZES if args.quick else FULL_SIZES)
    stream_size = args.stream_size or (QUICK_STREAM_SIZE if args.quick else FULL_STREAM_SIZE)
    for size in [*sizes, stream_size]:
        parse_size(size)
    report: dict[str, Any] = {
        "machine": machine_info(),
        "reps": args.reps,
        "quick": args.quick,
        "rows": [],
        "cases": [],
    }
    failed = False

    def case(kind: str, size: str) -> dict[str, Any]:
        res = spawn_case(f"{kind}:{size}", args.reps, args.timeout)
        report["cases"].append(res)
        if "n_jobs_source" in res:
            report["cleanlab_default_n_jobs"] = f"{res['n_jobs']} ({res['n_jobs_source']})"
        if "goldlabel_default_n_jobs" in res:
            report["goldlabel_default_n_jobs"] = res["goldlabel_default_n_jobs"]
        return res

    for size in sizes:
        ensure_data(size, args.timeout)
        _log(f"size {size}:")
        cl, cl1, gl = (case(kind, size) for kind in FLI_KINDS)
        check, check_nj1 = compare(gl, cl), compare(gl, cl1)
        report["rows"].append(
            {
                "label": "find_label_issues",
                "size": size,
                "cl": cl,
                "cl1": cl1,
                "gl": gl,
                "identical": _verdict(check),
                "vs_default": check,
                "vs_n_jobs_1": check_nj1,
            }
        )
        failed |= check["verdict"] != "IDENTICAL" or check_nj1["verdict"] != "IDENTICAL"
        for method, tag in (("self_confidence", "sc"), ("normalized_margin", "nm")):
            cl, gl = case(f"lqs_{tag}_cl", size), case(f"lqs_{tag}_gl", size)
            check = compare(gl, cl)
            report["rows"].append(
                {
                    "label": f"label quality scores ({method})",
                    "size": size,
                    "cl": cl,
                    "gl": gl,
                    "identical": _verdict(check),
                    "vs_default": check,
                }
            )
            failed |= check["verdict"] != "IDENTICAL"

    if not args.no_stream:
        _log(f"out of core {stream_size}:")
        missing = streaming_missing(args.timeout)
        if missing:
            _log(f"    skipped: {missing}")
            st = {"case": f"stream_gl:{stream_size}", "skipped": missing}
        else:
            ensure_data(stream_size, args.timeout)
            st = case("stream_gl", stream_size)
        if "skipped" in st:
            report["stream"] = {"size": stream_size, "skipped": st["skipped"]}
        else:
            ref = case("stream_ref", stream_size)
            check = compare(st, ref)
            report["stream"] = {
                "size": stream_size,
                "streaming": st,
                "in_memory": ref,
                "identical": _verdict(check),
                "check": check,
            }
            failed |= check["verdict"] != "IDENTICAL"
            failed |= st.get("vmhwm_extra_mib", 0.0) * MIB / 1e6 >= STREAM_RSS_LIMIT_MB

    failed |= any("error" in res for res in report["cases"])
    print(render(report), flush=True)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    suffix = "-quick" if args.quick else ""
    out = RESULTS_DIR / f"core-{dt.date.today().isoformat()}{suffix}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    _log(f"results written to {out}")
    for res in report["cases"]:
        if "error" in res:
            _log(f"case {res['case']} failed: {res['error']}")
    if failed:
        _log("FAILED: an output differs from cleanlab's or a case failed (see the table).")
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", help="comma-separated NxK sizes, e.g. 1e6x10,1e5x1000")
    parser.add_argument("--stream-size", help=f"out-of-core size (default {FULL_STREAM_SIZE})")
    parser.add_argument("--no-stream", action="store_true", help="skip the out-of-core case")
    parser.add_argument("--reps", type=int, default=5, help="repetitions per case (default 5)")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per subprocess")
    parser.add_argument("--case", help="internal: run one case KIND:SIZE in this process")
    parser.add_argument("--gen", help="internal: generate the inputs of one size")
    args = parser.parse_args(argv)
    if args.reps < 1:
        parser.error("--reps must be at least 1")
    if args.gen:
        generate(args.gen)
        return 0
    if args.case:
        if ":" not in args.case:
            parser.error(
                f"--case expects KIND:SIZE, e.g. fli_gl:1e5x10, but received {args.case!r}"
            )
        try:
            result = run_case(args.case, args.reps)
        except ImportError as exc:
            print(f"case {args.case} cannot run: {exc}", file=sys.stderr)
            return 2
        print(MARKER + json.dumps(result), flush=True)
        return 0
    return run_all(args)


if __name__ == "__main__":
    sys.exit(main())
