"""Models in the loop: featurizers, cross-validated probabilities, model choice, calibration,
zero-shot suggestions, the end-to-end pipeline, CleanLearning, auto-labeling and active learning.

>>> from goldlabel.learn import cross_val_pred_probs
>>> from sklearn.datasets import load_iris
>>> X, y = load_iris(return_X_y=True)
>>> cross_val_pred_probs(X, y).pred_probs.shape
(150, 3)
"""

from __future__ import annotations

from goldlabel.learn.active import STRATEGIES, compute_uncertainty_scores, suggest_rows_to_label
from goldlabel.learn.autolabel import (
    AutoLabelResult,
    find_auto_labels,
    find_multilabel_auto_labels,
)
from goldlabel.learn.calibration import apply_temperature, fit_temperature
from goldlabel.learn.candidates import (
    CANDIDATE_NAMES,
    Candidate,
    SmoothedKNNClassifier,
    get_candidate,
    list_candidates,
)
from goldlabel.learn.cleanlearning import CleanLearning
from goldlabel.learn.columns import COLUMN_KINDS, infer_column_types
from goldlabel.learn.crossfit import cross_fit_pred_probs
from goldlabel.learn.crossval import (
    CrossValResult,
    assign_folds,
    compute_log_loss,
    cross_val_pred_probs,
)
from goldlabel.learn.deployable import DeployableModel, fit_deployable_model
from goldlabel.learn.featurize import FEATURE_KINDS, Features, FrameFeaturizer, featurize
from goldlabel.learn.featurize_embeddings import EmbeddingFeaturizer
from goldlabel.learn.featurize_images import ImageFeaturizer
from goldlabel.learn.featurize_sentences import SentenceEmbeddingFeaturizer
from goldlabel.learn.featurize_tabular import TabularFeaturizer
from goldlabel.learn.featurize_text import TextFeaturizer
from goldlabel.learn.multilabel import run_multilabel_pipeline
from goldlabel.learn.multilabel_crossval import (
    MultilabelCrossValResult,
    assign_multilabel_folds,
    cross_val_multilabel_probs,
    encode_multilabel_labels,
)
from goldlabel.learn.pipeline import PipelineResult, run_pipeline
from goldlabel.learn.selection import ModelChoice, Selection, refit_choice, select_model
from goldlabel.learn.zeroshot import compute_similarity_probs, compute_zero_shot_probs

__all__ = [
    "CANDIDATE_NAMES",
    "COLUMN_KINDS",
    "FEATURE_KINDS",
    "STRATEGIES",
    "AutoLabelResult",
    "Candidate",
    "CleanLearning",
    "CrossValResult",
    "DeployableModel",
    "EmbeddingFeaturizer",
    "Features",
    "FrameFeaturizer",
    "ImageFeaturizer",
    "ModelChoice",
    "MultilabelCrossValResult",
    "PipelineResult",
    "Selection",
    "SentenceEmbeddingFeaturizer",
    "SmoothedKNNClassifier",
    "TabularFeaturizer",
    "TextFeaturizer",
    "apply_temperature",
    "assign_folds",
    "assign_multilabel_folds",
    "compute_log_loss",
    "compute_similarity_probs",
    "compute_uncertainty_scores",
    "compute_zero_shot_probs",
    "cross_fit_pred_probs",
    "cross_val_multilabel_probs",
    "cross_val_pred_probs",
    "encode_multilabel_labels",
    "featurize",
    "find_auto_labels",
    "find_multilabel_auto_labels",
    "fit_deployable_model",
    "fit_temperature",
    "get_candidate",
    "infer_column_types",
    "list_candidates",
    "refit_choice",
    "run_multilabel_pipeline",
    "run_pipeline",
    "select_model",
    "suggest_rows_to_label",
]
