"""cleanlab 2.9's ``cleanlab.multilabel_classification``, implemented on :mod:`goldlabel.core.multilabel`.

Same names, signatures, defaults and return types: ``filter``, ``rank`` and ``dataset`` submodules, and
``get_label_quality_scores`` at the package level.
"""

from goldlabel.compat.multilabel_classification import dataset, filter, rank
from goldlabel.compat.multilabel_classification.rank import get_label_quality_scores

__all__ = ["dataset", "filter", "get_label_quality_scores", "rank"]
