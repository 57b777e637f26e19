"""Guessing what each column of an imported table is for: id, text, label, feature, image path.

The guess is only a default: the user corrects it when importing or when creating a project.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from goldlabel.exceptions import DataValidationError, InvalidOptionError

__all__ = ["ROLES", "infer_column_roles", "merge_column_roles"]

ROLES = ("id", "text", "label", "feature", "image", "ignore")

_ID_NAMES = {"id", "row_id", "uid", "uuid", "_id", "index", "key"}
_LABEL_NAMES = {"label", "labels", "class", "category", "target", "y", "annotation", "given_label"}
_TEXT_NAMES = {"text", "title", "body", "description", "content", "message", "sentence", "review"}
_IMAGE_EXT = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp")


def _is_string(col: pd.Series) -> bool:
    return bool(pd.api.types.is_string_dtype(col) or col.dtype == object)


def infer_column_roles(frame: pd.DataFrame, *, sample: int = 2000) -> dict[str, str]:
    """Guess the role of every column of ``frame``.

    Parameters
    ----------
    frame
        The imported table (only its first ``sample`` rows are looked at).
    sample
        How many rows to look at.

    Returns
    -------
    dict
        Column name -> one of ``"id"``, ``"text"``, ``"label"``, ``"feature"``, ``"image"``.
        At most one column is the label and at most one the id.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"id": [1, 2], "text": ["a long sentence about things", "another one here"],
    ...                    "label": ["x", None], "price": [1.0, 2.5]})
    >>> infer_column_roles(df)
    {'id': 'id', 'text': 'text', 'label': 'label', 'price': 'feature'}
    """
    head = frame.head(sample)
    roles: dict[str, str] = {}
    have_label = have_id = False
    for name in head.columns:
        col = head[name]
        lower = str(name).strip().lower()
        values = col.dropna()
        if not have_id and (lower in _ID_NAMES or lower.endswith("_id")) and values.is_unique:
            roles[name] = "id"
            have_id = True
            continue
        if not have_label and lower in _LABEL_NAMES:
            roles[name] = "label"
            have_label = True
            continue
        if _is_string(col) and len(values):
            as_text = values.astype(str)
            if as_text.str.lower().str.endswith(_IMAGE_EXT).mean() > 0.9:
                roles[name] = "image"
                continue
            words = as_text.str.count(" ").mean() + 1
            if lower in _TEXT_NAMES or words >= 4 or as_text.str.len().mean() >= 30:
                roles[name] = "text"
                continue
        roles[name] = "feature"
    return roles


def merge_column_roles(
    inferred: Mapping[str, str], overrides: Mapping[str, str] | None
) -> dict[str, str]:
    """Apply the user's corrections to the inferred roles.

    Raises
    ------
    InvalidOptionError
        If a role is not one of :data:`ROLES`.
    DataValidationError
        If an override names a column the file does not have, or two columns end up as the label.
    """
    roles = dict(inferred)
    for column, role in (overrides or {}).items():
        if column not in roles:
            raise DataValidationError(
                f"column {column!r} is not in the file; its columns are {sorted(roles)}. "
                "Correct the column name in the schema overrides."
            )
        if role not in ROLES:
            raise InvalidOptionError(
                f"role of column {column!r} must be one of {list(ROLES)}; got {role!r}."
            )
        if role in ("label", "id"):
            for other, other_role in roles.items():
                if other_role == role and other != column:
                    roles[other] = "feature" if role == "label" else "ignore"
        roles[column] = role
    return roles
