"""Images as numbers: simple, fast features from arrays or image files.

Every image becomes a small grey thumbnail (``size`` x ``size``, area-averaged), per-channel intensity
histograms, and a histogram of gradient orientations weighted by gradient strength. No pretrained
network: these features are cheap and separate simple image classes (digits, icons, scans) well.
Files ending in ``.npy`` are read with numpy; other image files need Pillow.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from goldlabel.exceptions import DataValidationError, MissingDependencyError

__all__ = ["ImageFeaturizer", "load_image"]


def load_image(source: Any) -> np.ndarray:
    """An image as a float array of shape (height, width) or (height, width, channels).

    ``source`` is an array, or a path to a ``.npy`` file or an image file (read with Pillow).

    Examples
    --------
    >>> load_image([[0, 255], [255, 0]]).shape
    (2, 2)
    """
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise DataValidationError(
                f"no image file at {str(path)!r}; check the path (relative paths are read from "
                f"{str(Path.cwd())!r})."
            )
        if path.suffix.lower() == ".npy":
            image = np.load(path, allow_pickle=False)
        else:
            try:
                from PIL import Image
            except ImportError as error:
                raise MissingDependencyError(
                    f"reading {path.suffix} images needs Pillow; install it with "
                    "`pip install pillow`, or pass the images as numpy arrays."
                ) from error
            with Image.open(path) as handle:
                image = np.asarray(handle.convert("RGB"))
    else:
        image = np.asarray(source)
    if image.ndim not in (2, 3) or not np.issubdtype(image.dtype, np.number) or image.size == 0:
        raise DataValidationError(
            f"an image must be a non-empty numeric array of shape (height, width) or "
            f"(height, width, channels); got shape {image.shape} and dtype {image.dtype}."
        )
    return image.astype(np.float64)


def _to_unit(image: np.ndarray) -> np.ndarray:
    """Intensities in [0, 1]: images already there are kept, others divided by their maximum."""
    low, top = float(image.min()), float(image.max())
    if low >= 0.0 and top <= 1.0:
        return image
    image = image - min(low, 0.0)
    top = float(image.max())
    return image / top if top > 0 else image


def _thumbnail(grey: np.ndarray, size: int) -> np.ndarray:
    h, w = grey.shape
    rows = np.linspace(0, h, size + 1).astype(int)
    cols = np.linspace(0, w, size + 1).astype(int)
    rows[1:] = np.maximum(rows[1:], rows[:-1] + 1)
    cols[1:] = np.maximum(cols[1:], cols[:-1] + 1)
    padded = np.pad(grey, ((0, max(0, rows[-1] - h)), (0, max(0, cols[-1] - w))), mode="edge")
    summed = np.add.reduceat(np.add.reduceat(padded, rows[:-1], axis=0), cols[:-1], axis=1)
    counts = np.outer(np.diff(rows), np.diff(cols))
    return (summed / counts).ravel()


def _orientation_histogram(grey: np.ndarray, bins: int) -> np.ndarray:
    if min(grey.shape) < 2:
        return np.zeros(bins)
    gy, gx = np.gradient(grey)
    magnitude = np.hypot(gx, gy)
    angle = np.mod(np.arctan2(gy, gx), np.pi)
    hist, _ = np.histogram(angle, bins=bins, range=(0.0, np.pi), weights=magnitude)
    total = hist.sum()
    return hist / total if total > 0 else hist


class ImageFeaturizer(TransformerMixin, BaseEstimator):
    """Thumbnail, intensity-histogram and edge-orientation features of images.

    Parameters
    ----------
    size : int, default 16
        Side of the grey thumbnail (``size**2`` features).
    bins : int, default 8
        Bins of each channel's intensity histogram and of the orientation histogram.

    Examples
    --------
    >>> import numpy as np
    >>> images = np.random.default_rng(0).random((3, 8, 8))
    >>> ImageFeaturizer(size=4).fit_transform(list(images)).shape
    (3, 50)
    """

    def __init__(self, *, size: int = 16, bins: int = 8) -> None:
        self.size = size
        self.bins = bins

    def fit(self, X: Any, y: Any = None) -> ImageFeaturizer:
        """Nothing to learn; checks the options."""
        if int(self.size) < 1 or int(self.bins) < 1:
            raise DataValidationError(
                f"size and bins must be positive integers, but received size={self.size!r}, "
                f"bins={self.bins!r}."
            )
        self.n_features_out_ = int(self.size) ** 2 + 4 * int(self.bins) + 2
        return self

    def _one(self, source: Any) -> np.ndarray:
        image = _to_unit(load_image(source))
        if image.ndim == 2:
            channels = np.repeat(image[:, :, None], 3, axis=2)
        else:
            channels = image[:, :, :3] if image.shape[2] >= 3 else np.repeat(image[:, :, :1], 3, 2)
        grey = channels.mean(axis=2)
        hists = [
            np.histogram(channels[:, :, c], bins=self.bins, range=(0.0, 1.0))[0] / grey.size
            for c in range(3)
        ]
        return np.concatenate(
            [
                _thumbnail(grey, int(self.size)),
                *hists,
                _orientation_histogram(grey, int(self.bins)),
                [grey.mean(), grey.std()],
            ]
        )

    def transform(self, X: Any) -> np.ndarray:
        """Features of shape (n_images, n_features_out_), float32.

        ``X`` is a sequence of images (arrays or paths), a one-column DataFrame of them, or a
        3-D/4-D array stacking same-sized images.
        """
        self.fit(X)
        if isinstance(X, pd.DataFrame):
            items = X.iloc[:, 0].tolist()
        elif isinstance(X, np.ndarray) and X.ndim in (3, 4) and X.dtype != object:
            items = list(X)
        else:
            items = list(X.tolist() if isinstance(X, (pd.Series, np.ndarray)) else X)
        if not items:
            return np.zeros((0, self.n_features_out_), dtype=np.float32)
        return np.vstack([self._one(item) for item in items]).astype(np.float32)
