"""Weak supervision: labeling functions, vectorised application, LF analysis and label models.

>>> import numpy as np
>>> from goldlabel.weak import KeywordLF, LabelModel, apply_lfs
>>> rows = {"text": ["subscribe to my channel", "love this song", "check out my channel", "song"]}
>>> lfs = [KeywordLF(["subscribe", "channel"], 1), KeywordLF(["song", "love"], 0)]
>>> L = apply_lfs(rows, lfs)
>>> LabelModel(n_classes=2).fit(L).predict(L).tolist()
[1, 0, 1, 0]
"""

from __future__ import annotations

from goldlabel.weak.analysis import (
    compute_label_conflict,
    compute_label_coverage,
    compute_label_overlap,
    compute_lf_conflicts,
    compute_lf_coverages,
    compute_lf_empirical_accuracies,
    compute_lf_overlaps,
    compute_lf_polarities,
    summarize_lfs,
)
from goldlabel.weak.applying import apply_lfs
from goldlabel.weak.base import BaseLabelModel
from goldlabel.weak.builtin_lfs import (
    ColumnValueLF,
    KeywordLF,
    ModelLF,
    RegexLF,
    ThresholdLF,
    build_keyword_lfs,
)
from goldlabel.weak.dawid_skene import DawidSkeneLabelModel
from goldlabel.weak.functions import ABSTAIN, FunctionLF, LabelingFunction, Row, labeling_function
from goldlabel.weak.hierarchy import LabelHierarchy, resolve_label
from goldlabel.weak.label_model import LabelModel
from goldlabel.weak.majority import MajorityVoteLabelModel
from goldlabel.weak.moments import MomentLabelModel
from goldlabel.weak.suggestions import find_lf_label_issues, suggest_labels_from_lfs

__all__ = [
    "ABSTAIN",
    "BaseLabelModel",
    "ColumnValueLF",
    "DawidSkeneLabelModel",
    "FunctionLF",
    "KeywordLF",
    "LabelHierarchy",
    "LabelModel",
    "LabelingFunction",
    "MajorityVoteLabelModel",
    "ModelLF",
    "MomentLabelModel",
    "RegexLF",
    "Row",
    "ThresholdLF",
    "apply_lfs",
    "build_keyword_lfs",
    "compute_label_conflict",
    "compute_label_coverage",
    "compute_label_overlap",
    "compute_lf_conflicts",
    "compute_lf_coverages",
    "compute_lf_empirical_accuracies",
    "compute_lf_overlaps",
    "compute_lf_polarities",
    "find_lf_label_issues",
    "labeling_function",
    "resolve_label",
    "suggest_labels_from_lfs",
    "summarize_lfs",
]
