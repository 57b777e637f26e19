"""Array algorithms of confident learning, on numpy only.

Everything here takes plain arrays (labels of shape (N,), pred_probs of shape (N, K)) and returns plain
arrays; nothing imports the rest of goldlabel but its exceptions. The ``*_streaming`` variants give the same
results for pred_probs too large for memory (a ``.npy`` file, a memory map or batches).
"""

from goldlabel.core.agreement import (
    compute_krippendorff_alpha,
    compute_krippendorff_alpha_per_class,
)
from goldlabel.core.counting import (
    calibrate_confident_joint,
    compute_confident_joint,
    compute_confident_thresholds,
    count_label_issues,
    estimate_joint,
    estimate_latent,
    estimate_py_and_noise_matrices_from_probabilities,
)
from goldlabel.core.ensemble import compute_ensemble_label_quality_scores
from goldlabel.core.filtering import find_label_issues, find_predicted_neq_given
from goldlabel.core.multiannotator import (
    ConsensusResult,
    RandomTieBreakWarning,
    compute_consensus,
    compute_majority_vote_labels,
    compute_vote_consensus,
    convert_long_to_wide_labels,
)
from goldlabel.core.multiannotator_multilabel import (
    MultilabelConsensusResult,
    compute_annotation_consensus,
    compute_multilabel_consensus,
)
from goldlabel.core.multilabel import (
    compute_multilabel_label_quality_scores,
    find_multilabel_label_issues,
    summarize_multilabel_health,
)
from goldlabel.core.rare_classes import merge_rare_classes, restore_original_classes
from goldlabel.core.scoring import (
    compute_label_quality_scores,
    find_top_issues,
    order_label_issues,
)
from goldlabel.core.streaming import (
    compute_label_quality_scores_streaming,
    find_label_issues_streaming,
)
from goldlabel.core.summary import (
    compute_overall_label_health_score,
    find_overlapping_classes,
    rank_classes_by_label_quality,
    summarize_label_health,
)
from goldlabel.core.validation import MissingClassesWarning

__all__ = [
    "ConsensusResult",
    "MissingClassesWarning",
    "MultilabelConsensusResult",
    "RandomTieBreakWarning",
    "calibrate_confident_joint",
    "compute_annotation_consensus",
    "compute_confident_joint",
    "compute_confident_thresholds",
    "compute_consensus",
    "compute_ensemble_label_quality_scores",
    "compute_krippendorff_alpha",
    "compute_krippendorff_alpha_per_class",
    "compute_label_quality_scores",
    "compute_label_quality_scores_streaming",
    "compute_majority_vote_labels",
    "compute_multilabel_consensus",
    "compute_multilabel_label_quality_scores",
    "compute_overall_label_health_score",
    "compute_vote_consensus",
    "convert_long_to_wide_labels",
    "count_label_issues",
    "estimate_joint",
    "estimate_latent",
    "estimate_py_and_noise_matrices_from_probabilities",
    "find_label_issues",
    "find_label_issues_streaming",
    "find_multilabel_label_issues",
    "find_overlapping_classes",
    "find_predicted_neq_given",
    "find_top_issues",
    "merge_rare_classes",
    "order_label_issues",
    "rank_classes_by_label_quality",
    "restore_original_classes",
    "summarize_label_health",
    "summarize_multilabel_health",
]
