"""Summaries and the plain-text report of an audit's results."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from goldlabel.audit.registry import IssueResult

__all__ = ["format_report", "summarize_results"]


def summarize_results(results: Mapping[str, IssueResult]) -> pd.DataFrame:
    """One row per check: ``issue_type``, ``num_issues`` and ``score`` (the summary score).

    Examples
    --------
    >>> r = IssueResult(np.array([True, False]), np.array([0.1, 0.9]), 0.5)
    >>> summarize_results({"outlier": r}).to_dict("records")
    [{'issue_type': 'outlier', 'num_issues': 1, 'score': 0.5}]
    """
    return pd.DataFrame(
        {
            "issue_type": pd.Series(list(results), dtype=object),
            "num_issues": pd.Series(
                [int(np.count_nonzero(r.is_issue)) for r in results.values()], dtype=np.int64
            ),
            "score": pd.Series([float(r.summary_score) for r in results.values()], dtype=float),
        }
    )


def _worst(issues: pd.DataFrame, name: str, num_examples: int) -> pd.DataFrame:
    flagged = issues[issues[f"is_{name}_issue"]]
    order = np.argsort(flagged[f"{name}_score"].to_numpy(), kind="stable")[:num_examples]
    return flagged.iloc[order]


def format_report(
    results: Mapping[str, IssueResult],
    *,
    descriptions: Mapping[str, str],
    issues: pd.DataFrame,
    health_score: float,
    num_examples: int = 5,
) -> str:
    """The text of :meth:`goldlabel.audit.Audit.report`.

    Issue types with issues come first, most issues first; each lists its description and its
    ``num_examples`` worst flagged examples (lowest score first) with that check's columns.
    """
    summary = summarize_results(results)
    lines = [
        f"Dataset audit: {len(issues)} examples, {len(results)} issue types checked, "
        f"health score {health_score:.3f} (1 = spotless).",
        "",
        summary.to_string(index=False),
    ]
    found = summary[summary["num_issues"] > 0].sort_values(
        ["num_issues", "score"], ascending=[False, True], kind="stable"
    )
    if found.empty:
        lines += ["", "No issues found."]
    for name in found["issue_type"]:
        result = results[name]
        count = int(np.count_nonzero(result.is_issue))
        header = f"{name} issues: {count} of {len(issues)} examples ({count / len(issues):.1%})"
        lines += ["", header, "-" * len(header)]
        if descriptions.get(name):
            lines.append(descriptions[name])
        if num_examples:
            cols = [f"is_{name}_issue", f"{name}_score", *result.extra_columns]
            worst = _worst(issues[cols], name, num_examples)
            lines += [f"Worst {len(worst)} (lowest {name}_score):", worst.to_string()]
    clean = summary[summary["num_issues"] == 0]["issue_type"].tolist()
    if clean and not found.empty:
        lines += ["", f"No issues of type: {', '.join(clean)}."]
    return "\n".join(lines)
