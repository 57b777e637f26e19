"""Built-in labeling functions, each vectorised over a DataFrame and agreeing with its row-wise call.

Keywords (with aliases), regular expressions, a column's value, a threshold on a numeric column and
another model's prediction. Each takes its target as a class index, or as a name with ``classes=``
(and optionally a :class:`~goldlabel.weak.hierarchy.LabelHierarchy` for fine tags and aliases).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from goldlabel.exceptions import DataValidationError, InvalidOptionError
from goldlabel.weak.functions import LabelingFunction
from goldlabel.weak.hierarchy import LabelHierarchy, resolve_label
from goldlabel.weak.validation import ABSTAIN

__all__ = [
    "ColumnValueLF",
    "KeywordLF",
    "ModelLF",
    "RegexLF",
    "ThresholdLF",
    "build_keyword_lfs",
]


def _column(frame: pd.DataFrame, column: str, lf: str) -> pd.Series:
    if column not in frame.columns:
        raise DataValidationError(
            f"LF {lf!r} reads column {column!r}, but the data has columns {list(frame.columns)}. "
            "Pass column=... naming one of them."
        )
    return frame[column]


def _row_value(row: Mapping[str, Any], column: str, lf: str) -> Any:
    if column not in row:
        raise DataValidationError(
            f"LF {lf!r} reads column {column!r}, but the row has columns {list(row)}."
        )
    return row[column]


class RegexLF(LabelingFunction):
    """Votes ``label`` where a regular expression matches a text column, else abstains.

    Parameters
    ----------
    pattern : str
    label : int or str
    column : str, default="text"
    name : str, optional
    ignore_case : bool, default=True
    classes, hierarchy : see :func:`~goldlabel.weak.hierarchy.resolve_label`

    Examples
    --------
    >>> lf = RegexLF(r"check.*out", 1)
    >>> lf.apply(pd.DataFrame({"text": ["Check it out", "great song"]})).tolist()
    [1, -1]
    """

    def __init__(
        self,
        pattern: str,
        label: int | str,
        *,
        column: str = "text",
        name: str | None = None,
        ignore_case: bool = True,
        classes: Sequence[str] | None = None,
        hierarchy: LabelHierarchy | None = None,
    ) -> None:
        try:
            self.regex = re.compile(pattern, re.IGNORECASE if ignore_case else 0)
        except re.error as err:
            raise InvalidOptionError(
                f"pattern {pattern!r} is not a valid regular expression: {err}."
            ) from err
        self.pattern = pattern
        self.label = resolve_label(label, classes=classes, hierarchy=hierarchy)
        self.column = column
        self.name = name or f"regex_{pattern}"

    def __call__(self, row: Mapping[str, Any]) -> int:
        value = _row_value(row, self.column, self.name)
        if not isinstance(value, str):
            return ABSTAIN
        return self.label if self.regex.search(value) else ABSTAIN

    def apply(self, frame: pd.DataFrame) -> np.ndarray:
        text = _column(frame, self.column, self.name)
        search = self.regex.search  # one compiled pattern over the whole column
        hits = np.fromiter(
            (isinstance(v, str) and search(v) is not None for v in text),
            dtype=bool,
            count=len(text),
        )
        return np.where(hits, self.label, ABSTAIN).astype(np.int64)


class KeywordLF(RegexLF):
    """Votes ``label`` where any keyword (or one of its aliases) occurs as a whole word.

    Parameters
    ----------
    keywords : str, sequence of str, or mapping of str to sequence of str
        A mapping lists aliases per keyword, e.g. ``{"please": ["plz", "pls"]}``.
    label : int or str
    column : str, default="text"
    name : str, optional
    ignore_case : bool, default=True
    whole_word : bool, default=True
        Match at word boundaries only (``"art"`` does not fire on ``"start"``).
    classes, hierarchy : see :func:`~goldlabel.weak.hierarchy.resolve_label`

    Examples
    --------
    >>> lf = KeywordLF({"please": ["plz"]}, 1)
    >>> lf.apply(pd.DataFrame({"text": ["plz subscribe", "pleasant song", "PLEASE"]})).tolist()
    [1, -1, 1]
    """

    def __init__(
        self,
        keywords: str | Sequence[str] | Mapping[str, Sequence[str]],
        label: int | str,
        *,
        column: str = "text",
        name: str | None = None,
        ignore_case: bool = True,
        whole_word: bool = True,
        classes: Sequence[str] | None = None,
        hierarchy: LabelHierarchy | None = None,
    ) -> None:
        words = _expand_keywords(keywords)
        alternation = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        pattern = rf"(?<!\w)(?:{alternation})(?!\w)" if whole_word else f"(?:{alternation})"
        super().__init__(
            pattern,
            label,
            column=column,
            name=name or "keyword_" + "_".join(words[:3]),
            ignore_case=ignore_case,
            classes=classes,
            hierarchy=hierarchy,
        )
        self.keywords = words


def _expand_keywords(keywords: Any) -> list[str]:
    if isinstance(keywords, str):
        words = [keywords]
    elif isinstance(keywords, Mapping):
        words = []
        for key, aliases in keywords.items():
            words.append(key)
            words.extend([aliases] if isinstance(aliases, str) else list(aliases))
    else:
        words = list(keywords)
    if not words or not all(isinstance(w, str) and w for w in words):
        raise InvalidOptionError(
            f"keywords must be non-empty strings, but received {keywords!r}. Pass e.g. "
            "['subscribe'] or {'please': ['plz', 'pls']}."
        )
    return list(dict.fromkeys(words))


def build_keyword_lfs(
    keywords: Mapping[str, Sequence[str]],
    *,
    classes: Sequence[str],
    hierarchy: LabelHierarchy | None = None,
    column: str = "text",
) -> list[KeywordLF]:
    """One :class:`KeywordLF` per tag; tags may be fine tags or aliases resolved by ``hierarchy``.

    Examples
    --------
    >>> h = LabelHierarchy(parents={"graph-learning": "other"}, aliases={"nlp": "language"})
    >>> lfs = build_keyword_lfs(
    ...     {"nlp": ["bert"], "graph-learning": ["graph"]}, classes=["language", "other"], hierarchy=h
    ... )
    >>> [(lf.name, lf.label) for lf in lfs]
    [('keyword_nlp', 0), ('keyword_graph-learning', 1)]
    """
    return [
        KeywordLF(
            words,
            tag,
            column=column,
            name=f"keyword_{tag}",
            classes=classes,
            hierarchy=hierarchy,
        )
        for tag, words in keywords.items()
    ]


class ColumnValueLF(LabelingFunction):
    """Votes the class mapped from a column's value (``values={"refund": "complaint"}``), else abstains.

    Examples
    --------
    >>> lf = ColumnValueLF("source", {"spam_trap": 1, "newsletter": 0})
    >>> lf.apply(pd.DataFrame({"source": ["spam_trap", "web", "newsletter"]})).tolist()
    [1, -1, 0]
    """

    def __init__(
        self,
        column: str,
        values: Mapping[Any, int | str],
        *,
        name: str | None = None,
        classes: Sequence[str] | None = None,
        hierarchy: LabelHierarchy | None = None,
    ) -> None:
        if not isinstance(values, Mapping) or not values:
            raise InvalidOptionError(
                f"values must be a non-empty mapping of column value to class, but received "
                f"{values!r}."
            )
        self.column = column
        self.values = {
            k: resolve_label(v, classes=classes, hierarchy=hierarchy) for k, v in values.items()
        }
        self.name = name or f"value_{column}"

    def __call__(self, row: Mapping[str, Any]) -> int:
        value = _row_value(row, self.column, self.name)
        try:
            return self.values.get(value, ABSTAIN)
        except TypeError:  # unhashable cell value
            return ABSTAIN

    def apply(self, frame: pd.DataFrame) -> np.ndarray:
        column = _column(frame, self.column, self.name)
        mapped = column.map(
            lambda v: self(  # row-wise semantics, hashed lookups only
                {self.column: v}
            )
        )
        return mapped.to_numpy(dtype=np.int64)


_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


class ThresholdLF(LabelingFunction):
    """Votes ``label`` where a numeric column compares true with a threshold; missing values abstain.

    Examples
    --------
    >>> lf = ThresholdLF("n_links", ">=", 2, 1)
    >>> lf.apply(pd.DataFrame({"n_links": [0, 3, None]})).tolist()
    [-1, 1, -1]
    """

    def __init__(
        self,
        column: str,
        op: str,
        threshold: float,
        label: int | str,
        *,
        name: str | None = None,
        classes: Sequence[str] | None = None,
        hierarchy: LabelHierarchy | None = None,
    ) -> None:
        if op not in _OPERATORS:
            raise InvalidOptionError(
                f"op must be one of {sorted(_OPERATORS)}, but received {op!r}."
            )
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.number)):
            raise InvalidOptionError(f"threshold must be a number, but received {threshold!r}.")
        self.column = column
        self.op = op
        self.threshold = float(threshold)
        self.label = resolve_label(label, classes=classes, hierarchy=hierarchy)
        self.name = name or f"{column}_{op}_{threshold}"

    def __call__(self, row: Mapping[str, Any]) -> int:
        value = _row_value(row, self.column, self.name)
        try:
            number = float(value)
        except (TypeError, ValueError):
            return ABSTAIN
        if np.isnan(number):
            return ABSTAIN
        return self.label if _OPERATORS[self.op](number, self.threshold) else ABSTAIN

    def apply(self, frame: pd.DataFrame) -> np.ndarray:
        column = pd.to_numeric(_column(frame, self.column, self.name), errors="coerce")
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            hits = _OPERATORS[self.op](values, self.threshold) & ~np.isnan(values)
        return np.where(hits, self.label, ABSTAIN).astype(np.int64)


class ModelLF(LabelingFunction):
    """Votes another model's prediction where it is confident enough, else abstains.

    Parameters
    ----------
    model : object with ``predict_proba``
        A fitted classifier; its probability columns are the classes in ``model.classes_`` order.
    columns : str or list of str
        What to pass to ``model.predict_proba``: one column (a 1-D Series, e.g. raw text into a
        pipeline) or a list of columns (a DataFrame).
    min_confidence : float, default=0.0
        Abstain where the top probability is below this.
    class_map : mapping, optional
        Maps ``model.classes_`` values to class indices or names of the task. Default: the model's
        classes are already the task's class indices.
    name, classes, hierarchy : as for the other LFs

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> clf = LogisticRegression().fit(pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0]}), [0, 0, 1, 1])
    >>> ModelLF(clf, ["x"], min_confidence=0.6).apply(pd.DataFrame({"x": [0.0, 1.5, 3.0]})).tolist()
    [0, -1, 1]
    """

    def __init__(
        self,
        model: Any,
        columns: str | Sequence[str],
        *,
        min_confidence: float = 0.0,
        class_map: Mapping[Any, int | str] | None = None,
        name: str | None = None,
        classes: Sequence[str] | None = None,
        hierarchy: LabelHierarchy | None = None,
    ) -> None:
        if not hasattr(model, "predict_proba"):
            raise InvalidOptionError(
                f"model must have a predict_proba method, but received {type(model).__name__}."
            )
        if not 0.0 <= float(min_confidence) <= 1.0:
            raise InvalidOptionError(
                f"min_confidence must be in [0, 1], but received {min_confidence!r}."
            )
        model_classes = list(getattr(model, "classes_", []))
        if not model_classes:
            raise InvalidOptionError(
                f"model {type(model).__name__} has no classes_; fit it before wrapping it in ModelLF."
            )
        mapping = class_map if class_map is not None else {c: c for c in model_classes}
        try:
            self.targets = np.array(
                [
                    resolve_label(mapping[c], classes=classes, hierarchy=hierarchy)
                    for c in model_classes
                ]
            )
        except KeyError as err:
            raise InvalidOptionError(
                f"class_map has no entry for the model's class {err.args[0]!r}; map every one of "
                f"{model_classes}."
            ) from None
        except InvalidOptionError as err:
            raise InvalidOptionError(
                f"the model's classes {model_classes} are not class indices of the task ({err}). "
                "Pass class_map={model_class: task_class}."
            ) from None
        self.model = model
        self.columns = columns
        self.min_confidence = float(min_confidence)
        self.name = name or f"model_{type(model).__name__}"

    def _inputs(self, frame: pd.DataFrame) -> Any:
        if isinstance(self.columns, str):
            return _column(frame, self.columns, self.name)
        for col in self.columns:
            _column(frame, col, self.name)
        return frame[list(self.columns)]

    def __call__(self, row: Mapping[str, Any]) -> int:
        return int(self.apply(pd.DataFrame([dict(row)]))[0])

    def apply(self, frame: pd.DataFrame) -> np.ndarray:
        if len(frame) == 0:
            return np.empty(0, dtype=np.int64)
        probs = np.asarray(self.model.predict_proba(self._inputs(frame)), dtype=np.float64)
        top = probs.argmax(axis=1)
        confident = probs[np.arange(len(top)), top] >= self.min_confidence
        return np.where(confident, self.targets[top], ABSTAIN).astype(np.int64)
