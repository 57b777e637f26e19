"""Array algorithms of confident learning, on numpy only.

Everything here takes plain arrays (labels of shape (N,), pred_probs of shape (N, K)) and returns plain
arrays; nothing imports the rest of goldlabel.
"""

from goldlabel.core.counting import (
    calibrate_confident_joint,
    compute_confident_joint,
    compute_confident_thresholds,
    count_label_issues,
    estimate_joint,
    estimate_latent,
    estimate_py_and_noise_matrices_from_probabilities,
)
from goldlabel.core.filtering import find_label_issues, find_predicted_neq_given
from goldlabel.core.scoring import (
    compute_label_quality_scores,
    find_top_issues,
    order_label_issues,
)

__all__ = [
    "calibrate_confident_joint",
    "compute_confident_joint",
    "compute_confident_thresholds",
    "compute_label_quality_scores",
    "count_label_issues",
    "estimate_joint",
    "estimate_latent",
    "estimate_py_and_noise_matrices_from_probabilities",
    "find_label_issues",
    "find_predicted_neq_given",
    "find_top_issues",
    "order_label_issues",
]
