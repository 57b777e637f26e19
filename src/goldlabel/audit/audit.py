"""The dataset audit: every registered check in one call, one table of issues, one report."""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from goldlabel.audit.inputs import validate_features, validate_knn_graph, validate_pred_probs
from goldlabel.audit.loading import encode_labels, load_data
from goldlabel.audit.neighbours import SharedKNN
from goldlabel.audit.registry import AuditInputs, Check, IssueResult, get_check, list_checks
from goldlabel.audit.reporting import format_report, summarize_results
from goldlabel.exceptions import AuditCheckError, DataValidationError, InvalidOptionError

__all__ = ["DEFAULT_K", "Audit"]

#: Neighbours per example when no check asks for another number (Datalab's default).
DEFAULT_K = 10


class Audit:
    """Find every kind of issue in a classification dataset in one call.

    The counterpart of cleanlab's ``Datalab``: the same issue types, defaults and column names,
    one shared neighbour graph, no per-row Python loops. Checks are looked up in the registry
    (:func:`goldlabel.audit.register`), so a third-party check runs exactly like a built-in one.

    Parameters
    ----------
    data : pandas.DataFrame, polars.DataFrame, dict of array-like, str or os.PathLike
        The dataset, or the path of a CSV, TSV, JSON, JSON-lines or Parquet file.
    label_name : str, optional
        The column holding the given labels (strings or integers; a missing value marks an
        unlabeled row). Without it, only the checks that need no labels run.
    class_names : sequence, optional
        Every class, in the order of the columns of ``pred_probs``. Default: integer labels are
        their own class indices; other labels are sorted.
    verbosity : int, default 1
        0 silences the progress bar.
    progress : bool, optional
        Show a progress bar over the checks; default only when stderr is a terminal and
        ``verbosity > 0``.
    random_state : int, default 0
        Seed handed to every check that draws random numbers.

    Attributes
    ----------
    data : pandas.DataFrame
    labels : ndarray of shape (n_samples,), int64, or None
        Class indices; -1 marks an unlabeled row.
    class_names : tuple

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> features = np.r_[rng.normal(0, 1, (50, 2)), rng.normal(8, 1, (50, 2))]
    >>> data = {"x": features[:, 0], "label": ["a"] * 50 + ["b"] * 50}
    >>> audit = Audit(data, "label", progress=False)
    >>> audit = audit.find_issues(features=features, issue_types={"label": {}, "outlier": {}})
    >>> list(audit.get_issue_summary()["issue_type"])
    ['label', 'outlier']
    >>> bool(audit.get_issues("label")["is_label_issue"].any())
    False
    """

    def __init__(
        self,
        data: Any,
        label_name: str | None = None,
        *,
        class_names: Sequence[Any] | None = None,
        verbosity: int = 1,
        progress: bool | None = None,
        random_state: int = 0,
    ) -> None:
        self.data = load_data(data)
        self.label_name = label_name
        self.verbosity = verbosity
        self.progress = progress
        self.random_state = random_state
        self.labels: np.ndarray | None = None
        self.class_names: tuple[Any, ...] = tuple(class_names) if class_names is not None else ()
        self._int_labels = False
        if label_name is not None:
            if label_name not in self.data.columns:
                raise DataValidationError(
                    f"label_name {label_name!r} is not a column of the data; its columns are "
                    f"{[str(c) for c in self.data.columns][:20]}. Pass the name of the label column, "
                    "or label_name=None to audit without labels."
                )
            self.labels, self.class_names = encode_labels(
                self.data[label_name], class_names=class_names
            )
            self._int_labels = class_names is None and all(
                isinstance(c, int) for c in self.class_names
            )
        self._results: dict[str, IssueResult] = {}
        self._statistics: dict[str, Any] = {"timings": {}}
        self._knn: SharedKNN | None = None
        self._knn_source: tuple[int, int, str] | None = None

    @property
    def n_samples(self) -> int:
        """Number of examples (rows of the data)."""
        return len(self.data)

    def list_default_issue_types(self) -> list[str]:
        """The checks :meth:`find_issues` runs when ``issue_types`` is None (inputs permitting)."""
        return list_checks(default_only=True)

    def list_possible_issue_types(self) -> list[str]:
        """Every registered check, default or opt-in."""
        return list_checks()

    # -- running ---------------------------------------------------------------------------------

    def find_issues(
        self,
        *,
        pred_probs: Any = None,
        features: Any = None,
        knn_graph: Any = None,
        issue_types: Mapping[str, Mapping[str, Any] | None] | None = None,
        metric: str = "auto",
    ) -> Audit:
        """Run the checks and keep their results (a later run replaces a check's earlier result).

        Parameters
        ----------
        pred_probs : array-like of shape (n_samples, n_classes), optional
            Out-of-sample predicted probabilities, columns in the order of ``class_names``.
        features : array-like of shape (n_samples, n_features), optional
            Numeric features or embeddings; the neighbour graph is built from them.
        knn_graph : KNNGraph or scipy sparse matrix of shape (n_samples, n_samples), optional
            A precomputed neighbour graph (cleanlab's format: each row holds the distances to its
            k nearest other examples); used instead of building one from ``features``.
        issue_types : dict of str -> dict, optional
            The checks to run and their options, e.g. ``{"outlier": {"k": 20}}``. Default: every
            default check whose inputs were given. A check named here whose inputs are missing
            raises :class:`~goldlabel.exceptions.InvalidOptionError`.
        metric : {"auto", "cosine", "euclidean"}, default "auto"
            Distance of the neighbour graph; "auto" is cosine above 3 dimensions.

        Returns
        -------
        Audit
            ``self``, so calls chain.

        Raises
        ------
        AuditCheckError
            A check failed; the original error is chained as ``__cause__``.
        """
        n = self.n_samples
        probs = None
        if pred_probs is not None:
            probs = validate_pred_probs(pred_probs, n_samples=n, n_classes=len(self.class_names))
            if probs.shape[1] > len(self.class_names):
                if self.labels is not None and not self._int_labels:
                    raise DataValidationError(
                        f"pred_probs has {probs.shape[1]} columns but the labels name "
                        f"{len(self.class_names)} classes {list(self.class_names)}; pass "
                        "class_names=[...] listing every class in the order of the columns."
                    )
                self.class_names = (
                    tuple(range(probs.shape[1]))
                    if not self.class_names or self._int_labels
                    else self.class_names + tuple(range(len(self.class_names), probs.shape[1]))
                )
        feats = validate_features(features, n_samples=n) if features is not None else None
        graph = None
        if knn_graph is not None:
            graph = validate_knn_graph(
                knn_graph,
                n_samples=n,
                n_features=None if feats is None else feats.shape[1],
                metric=metric,
            )
        labels = self.labels if self.labels is not None and (self.labels >= 0).any() else None
        available = self._available(labels, probs, feats, graph)
        checks = self._select(issue_types, available)
        max_k = max(
            [DEFAULT_K]
            + [
                _option_k((issue_types or {}).get(c.name) or {})
                for c in checks
                if any("knn" in need.split("|") for need in c.needs)
            ]
        )
        show = (
            self.progress
            if self.progress is not None
            else (self.verbosity > 0 and sys.stderr.isatty())
        )
        knn = self._shared_knn(feats, graph, max_k, metric, show) if "knn" in available else None
        data = self.data if "data" in available else None
        bar = tqdm(checks, desc="audit", unit="check", disable=not show, file=sys.stderr)
        for check in bar:
            bar.set_postfix_str(check.name)
            options = dict((issue_types or {}).get(check.name) or {})
            inputs = AuditInputs(
                n_samples=n,
                data=data,
                labels=labels,
                class_names=self.class_names or None,
                pred_probs=probs,
                features=feats,
                knn=knn,
                options=options,
                random_state=self.random_state,
                label_name=self.label_name,
            )
            start = time.perf_counter()
            result = _run_check(check, inputs)
            self._statistics["timings"][check.name] = time.perf_counter() - start
            self._results[check.name] = result
        bar.close()
        self._statistics.update(
            n_samples=n,
            n_classes=len(self.class_names),
            class_names=self.class_names,
            inputs=sorted(available),
        )
        if knn is not None and knn.graph is not None:
            self._statistics.update(
                knn_graph=knn.graph, knn_metric=knn.graph.metric, knn_k=knn.graph.k
            )
        return self

    def _available(
        self,
        labels: np.ndarray | None,
        probs: np.ndarray | None,
        feats: np.ndarray | None,
        graph: Any,
    ) -> set[str]:
        available = set()
        if any(c != self.label_name for c in self.data.columns):
            available.add("data")
        if labels is not None:
            available.add("labels")
        if probs is not None:
            available.add("pred_probs")
        if feats is not None:
            available.add("features")
        if feats is not None or graph is not None:
            available.add("knn")
        return available

    def _select(self, issue_types: Mapping[str, Any] | None, available: set[str]) -> list[Check]:
        def unmet(check: Check, options: Mapping[str, Any] | None = None) -> list[str]:
            stand_ins = check.stand_ins
            return [
                need
                for need in check.needs
                if not any(p in available for p in need.split("|"))
                and not (need in stand_ins and (options or {}).get(stand_ins[need]) is not None)
            ]

        def satisfied(check: Check) -> bool:
            return not unmet(check)

        if issue_types is None:
            return [c for c in map(get_check, list_checks(default_only=True)) if satisfied(c)]
        if not isinstance(issue_types, Mapping):
            raise InvalidOptionError(
                "issue_types must be a dict of check name -> options dict, e.g. "
                f"{{'outlier': {{'k': 20}}}}; got {type(issue_types).__name__}."
            )
        checks = []
        for name, options in issue_types.items():
            check = get_check(name)
            if options is not None and not isinstance(options, Mapping):
                raise InvalidOptionError(
                    f"the options of issue type {name!r} must be a dict (or None); got "
                    f"{type(options).__name__}."
                )
            missing = unmet(check, options)
            if missing:
                stand_in = check.stand_ins.get(missing[0])
                raise InvalidOptionError(
                    f"check {name!r} needs {' and '.join(_spell(m) for m in missing)}, which "
                    f"{'was' if len(missing) == 1 else 'were'} not given; "
                    f"given: {sorted(available) or 'nothing'}. {_HOW_TO[missing[0].split('|')[0]]}"
                    + (
                        f" Or pass issue_types={{{name!r}: {{{stand_in!r}: ...}}}}."
                        if stand_in
                        else ""
                    )
                )
            checks.append(check)
        order = {n: i for i, n in enumerate(list_checks())}
        return sorted(checks, key=lambda c: order[c.name])

    def _shared_knn(self, feats: Any, graph: Any, k: int, metric: str, progress: bool) -> SharedKNN:
        source = (id(feats), id(graph), metric)
        if self._knn is not None and self._knn_source == source and graph is None:
            self._knn.k = max(self._knn.k, k)
            self._knn.progress = progress
            return self._knn
        self._knn = SharedKNN(
            feats,
            graph=graph,
            k=k,
            metric=metric,
            random_state=self.random_state,
            progress=progress,
        )
        self._knn_source = source
        return self._knn

    # -- results ---------------------------------------------------------------------------------

    def _names(self, issue_type: str | None) -> list[str]:
        if not self._results:
            raise InvalidOptionError("no results yet: call find_issues(...) first.")
        if issue_type is None:
            return list(self._results)
        if issue_type not in self._results:
            raise InvalidOptionError(
                f"issue type {issue_type!r} has not been checked; checked so far: "
                f"{list(self._results)}. Run find_issues(issue_types={{{issue_type!r}: {{}}}})."
            )
        return [issue_type]

    def get_issues(self, issue_type: str | None = None) -> pd.DataFrame:
        """One row per example: ``is_<type>_issue`` and ``<type>_score`` of every check run, plus
        each check's extra columns (``given_label``, ``predicted_label``, ``near_duplicate_sets``...).

        Scores are quality scores: lower is worse, in [0, 1]; NaN where a check does not apply.
        """
        columns: dict[str, Any] = {}
        for name in self._names(issue_type):
            result = self._results[name]
            columns[f"is_{name}_issue"] = result.is_issue
            columns[f"{name}_score"] = result.score
            for key, values in result.extra_columns.items():
                columns.setdefault(key, values)
        return pd.DataFrame(columns, index=self.data.index)

    @property
    def issues(self) -> pd.DataFrame:
        """``get_issues()``: every check's columns."""
        return self.get_issues()

    def get_issue_summary(self, issue_type: str | None = None) -> pd.DataFrame:
        """One row per check run: ``issue_type``, ``num_issues`` and ``score`` (lower is worse)."""
        names = self._names(issue_type)
        return summarize_results({n: self._results[n] for n in names})

    @property
    def issue_summary(self) -> pd.DataFrame:
        """``get_issue_summary()``: one row per check run."""
        return self.get_issue_summary()

    def get_info(self, issue_type: str) -> dict[str, Any]:
        """What a check reports beyond flags and scores (thresholds, statistics, parameters).

        ``get_info("statistics")`` describes the run: sizes, inputs given, the neighbour graph and
        each check's time in seconds.
        """
        if issue_type == "statistics":
            return dict(self._statistics)
        (name,) = self._names(issue_type)
        result = self._results[name]
        return {
            "num_issues": int(np.count_nonzero(result.is_issue)),
            "summary_score": result.summary_score,
            **result.info,
        }

    @property
    def health_score(self) -> float:
        """The dataset's health: the mean of every check's summary score (1 is spotless)."""
        scores = [r.summary_score for r in self._results.values()]
        return float(np.mean(scores)) if scores else float("nan")

    def report(self, *, num_examples: int = 5) -> str:
        """A plain-text report: the summary, then the worst examples of every issue found.

        Never prints; ``print(audit.report())`` to see it.
        """
        if not isinstance(num_examples, (int, np.integer)) or num_examples < 0:
            raise InvalidOptionError(f"num_examples must be an integer >= 0; got {num_examples!r}.")
        names = self._names(None)
        return format_report(
            {n: self._results[n] for n in names},
            descriptions={n: get_check(n).description for n in names if n in list_checks()},
            issues=self.get_issues(),
            health_score=self.health_score,
            num_examples=int(num_examples),
        )


_HOW_TO = {
    "data": "Pass data with at least one column besides the label.",
    "labels": "Pass label_name=... naming a column with at least one label.",
    "pred_probs": "Pass pred_probs=... (out-of-sample predicted probabilities).",
    "features": "Pass features=... (numeric features or embeddings).",
    "knn": "Pass features=... or knn_graph=... .",
}

_SPELLING = {
    "data": "data columns",
    "labels": "labels",
    "pred_probs": "pred_probs",
    "features": "features",
    "knn": "a neighbour graph (features or knn_graph)",
}


def _spell(need: str) -> str:
    return " or ".join(_SPELLING.get(p, p) for p in need.split("|"))


def _option_k(options: Mapping[str, Any]) -> int:
    k = options.get("k", DEFAULT_K)
    return int(k) if isinstance(k, (int, np.integer)) and k > 0 else DEFAULT_K


def _run_check(check: Check, inputs: AuditInputs) -> IssueResult:
    """Run one check; any failure becomes an AuditCheckError chained from the original."""
    try:
        result = check.run(inputs)
    except Exception as err:
        raise AuditCheckError(check.name, f"{type(err).__name__}: {err}") from err
    if not isinstance(result, IssueResult):
        raise AuditCheckError(
            check.name, f"a check must return an IssueResult; got {type(result).__name__}."
        )
    n = inputs.n_samples
    is_issue = np.asarray(result.is_issue)
    score = np.asarray(result.score, dtype=np.float64)
    if is_issue.shape != (n,) or score.shape != (n,):
        raise AuditCheckError(
            check.name,
            f"is_issue and score must both have shape ({n},); got {is_issue.shape} and {score.shape}.",
        )
    for key, values in result.extra_columns.items():
        if len(values) != n:
            raise AuditCheckError(
                check.name, f"extra column {key!r} has {len(values)} values; expected {n}."
            )
    result.is_issue = is_issue.astype(bool, copy=False)
    result.score = score
    result.summary_score = float(result.summary_score)
    return result
