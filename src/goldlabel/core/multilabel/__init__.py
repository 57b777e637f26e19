"""Label issues in multi-label data, where each example carries a set of classes (possibly empty).

The problem is reduced one-vs-rest: for class ``k`` every example either has ``k`` in its label set or
not, and the model's ``pred_probs[:, k]`` is the probability that it should. Each of these K binary
problems is solved with confident learning, and an example is flagged when any of its K binary labels
looks wrong. Results are identical to cleanlab 2.9's ``multilabel_classification`` (see each function for
the few documented exceptions).

The per-class statistics (confident thresholds, confident guesses, the tie-bonus check of the given
label, every per-class score) are computed for all K classes at once on (N, K) arrays; only the pruning
methods, which need a different selection per class, go through :func:`goldlabel.core.find_label_issues`
class by class. Arithmetic follows cleanlab's operation order and dtypes so that scores agree to the
last bit and rankings agree on ties.

The work is split by what it holds: :mod:`~goldlabel.core.multilabel.inputs` (validation and
conversion), :mod:`~goldlabel.core.multilabel.joint` (thresholds and the one-vs-rest confident joint),
:mod:`~goldlabel.core.multilabel.scores` (label-quality scores), :mod:`~goldlabel.core.multilabel.issues`
(finding issues) and :mod:`~goldlabel.core.multilabel.health` (dataset-level summaries); every public
name is importable from here.

Labels are a list of lists of class indices, e.g. ``[[0, 2], [1], []]``; pred_probs is an (N, K) array
of per-class probabilities whose rows need not sum to 1.
"""

from goldlabel.core.multilabel.health import (
    compute_overall_multilabel_health_score,
    find_common_multilabel_issues,
    rank_classes_by_multilabel_quality,
    summarize_multilabel_health,
)
from goldlabel.core.multilabel.inputs import (
    check_multilabel_inputs,
    check_multilabel_pred_probs,
    convert_multilabel_to_onehot,
    convert_onehot_to_multilabel,
)
from goldlabel.core.multilabel.issues import (
    MULTILABEL_FILTER_BY,
    find_multilabel_issues_per_class,
    find_multilabel_label_issues,
    order_multilabel_issues_per_class,
)
from goldlabel.core.multilabel.joint import (
    compute_multilabel_confident_joint,
    compute_multilabel_confident_thresholds,
    count_multilabel_label_issues,
    estimate_multilabel_joint,
)
from goldlabel.core.multilabel.scores import (
    MULTILABEL_AGGREGATORS,
    MULTILABEL_SCORE_METHODS,
    aggregate_multilabel_scores,
    compute_multilabel_label_quality_scores,
    compute_multilabel_label_quality_scores_per_class,
)

__all__ = [
    "MULTILABEL_AGGREGATORS",
    "MULTILABEL_FILTER_BY",
    "MULTILABEL_SCORE_METHODS",
    "aggregate_multilabel_scores",
    "check_multilabel_inputs",
    "check_multilabel_pred_probs",
    "compute_multilabel_confident_joint",
    "compute_multilabel_confident_thresholds",
    "compute_multilabel_label_quality_scores",
    "compute_multilabel_label_quality_scores_per_class",
    "compute_overall_multilabel_health_score",
    "convert_multilabel_to_onehot",
    "convert_onehot_to_multilabel",
    "count_multilabel_label_issues",
    "estimate_multilabel_joint",
    "find_common_multilabel_issues",
    "find_multilabel_issues_per_class",
    "find_multilabel_label_issues",
    "order_multilabel_issues_per_class",
    "rank_classes_by_multilabel_quality",
    "summarize_multilabel_health",
]
