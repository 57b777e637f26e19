"""Importing a dataset from CSV, TSV, JSON, JSONL or Parquet into the studio's database.

The whole import is one transaction: a malformed file, a file over the size limit or a process killed
half-way leaves no dataset behind, never half of one.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from pathlib import PurePath

import charset_normalizer
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq
from sqlalchemy import select
from sqlalchemy.orm import Session

from goldlabel.exceptions import DataValidationError, InvalidOptionError, NotFoundError
from goldlabel.service.column_roles import infer_column_roles, merge_column_roles
from goldlabel.store.bulk import insert_rows
from goldlabel.store.tables import Dataset, DatasetRow

__all__ = [
    "FORMATS",
    "MAX_IMPORT_BYTES",
    "MAX_IMPORT_ROWS",
    "detect_encoding",
    "import_dataset",
    "load_dataset_frame",
    "read_table",
]

FORMATS = ("csv", "tsv", "json", "jsonl", "parquet")
MAX_IMPORT_BYTES = 2 * 1024**3
MAX_IMPORT_ROWS = 5_000_000
_EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}


def _format_of(filename: str | None, file_format: str | None) -> str:
    if file_format is not None:
        fmt = file_format.lower()
        if fmt not in FORMATS:
            raise InvalidOptionError(
                f"file_format must be one of {list(FORMATS)}; got {file_format!r}."
            )
        return fmt
    suffix = PurePath(filename or "").suffix.lower()
    if suffix not in _EXTENSIONS:
        raise InvalidOptionError(
            f"cannot tell the format of {filename!r} from its extension; name the file with one of "
            f"{sorted(_EXTENSIONS)} or pass file_format (one of {list(FORMATS)})."
        )
    return _EXTENSIONS[suffix]


_PREFERRED = (
    "utf_16",
    "utf_32",
    "cp1252",
    "latin_1",
    "iso8859_15",
    "shift_jis",
    "gb18030",
    "euc_kr",
    "big5",
    "cp1251",
)


def _rank(encoding: str) -> int:
    return _PREFERRED.index(encoding) if encoding in _PREFERRED else len(_PREFERRED)


def detect_encoding(data: bytes) -> str:
    """The text encoding of ``data``: ``"utf-8"`` when it decodes as UTF-8, else charset-normalizer's guess.

    Raises
    ------
    DataValidationError
        If no encoding decodes the bytes (e.g. a binary file).

    Examples
    --------
    >>> detect_encoding("prix: 10 €".encode())
    'utf-8'
    """
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    matches = charset_normalizer.from_bytes(data[:1_000_000])
    best = matches.best()
    if best is not None:
        # Near-ties between legacy code pages are common; prefer the ones people actually use.
        for match in matches:
            if match.encoding in _PREFERRED and match.chaos <= best.chaos + 0.1:
                if _PREFERRED.index(match.encoding) < _rank(best.encoding):
                    best = match
    if best is None:
        raise DataValidationError(
            "the file's bytes do not decode as text in any known encoding; "
            "save it as UTF-8 text (or upload a Parquet file)."
        )
    return str(best.encoding)


def _decode(data: bytes) -> tuple[bytes, str]:
    data = data.removeprefix(b"\xef\xbb\xbf")
    encoding = detect_encoding(data)
    if encoding in ("utf-8", "ascii", "utf_8"):
        return data, "utf-8"
    try:
        return data.decode(encoding).encode("utf-8"), encoding
    except (UnicodeDecodeError, LookupError) as err:
        raise DataValidationError(
            f"the file looks like {encoding} text but does not decode as it ({err}); "
            "save it as UTF-8 text."
        ) from err


def read_table(
    data: bytes, *, filename: str | None = None, file_format: str | None = None
) -> tuple[pd.DataFrame, str, str]:
    """Parse an uploaded file into a DataFrame.

    Parameters
    ----------
    data
        The file's bytes.
    filename
        Its name; the extension gives the format when ``file_format`` is None.
    file_format
        One of :data:`FORMATS`.

    Returns
    -------
    frame, file_format, encoding
        Empty cells are missing values (None/NaN).

    Raises
    ------
    DataValidationError
        If the file is empty, malformed, or has duplicate column names.

    Examples
    --------
    >>> frame, fmt, enc = read_table(b"text,label\\nhello,a\\nbye,\\n", filename="x.csv")
    >>> frame["label"].tolist()
    ['a', None]
    """
    fmt = _format_of(filename, file_format)
    if not data.strip():
        raise DataValidationError(
            f"the uploaded file {filename!r} is empty; upload a file with rows."
        )
    encoding = "binary"
    try:
        if fmt == "parquet":
            table = pq.read_table(io.BytesIO(data))
        else:
            data, encoding = _decode(data)
            if fmt in ("csv", "tsv"):
                table = pacsv.read_csv(
                    io.BytesIO(data),
                    parse_options=pacsv.ParseOptions(
                        delimiter="\t" if fmt == "tsv" else ",", newlines_in_values=True
                    ),
                    convert_options=pacsv.ConvertOptions(strings_can_be_null=True),
                    read_options=pacsv.ReadOptions(block_size=1 << 24),
                )
            elif fmt == "jsonl":
                table = pajson.read_json(io.BytesIO(data))
            else:
                records = json.loads(data)
                if isinstance(records, dict):
                    records = next((v for v in records.values() if isinstance(v, list)), None)
                if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
                    raise DataValidationError(
                        "a JSON dataset must be a list of objects, one per row (or an object holding "
                        "such a list); upload JSON Lines for one object per line."
                    )
                table = pa.Table.from_pylist(records)
    except (pa.ArrowInvalid, json.JSONDecodeError, OSError) as err:
        raise DataValidationError(
            f"the {fmt.upper()} file {filename!r} is malformed: {err}. "
            "Check its delimiter, quoting and that every row has the same columns."
        ) from err
    names = table.column_names
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise DataValidationError(
            f"the file has duplicate column names {dup}; rename them and upload again."
        )
    if table.num_rows == 0 or table.num_columns == 0:
        raise DataValidationError(f"the file {filename!r} has no rows; upload a file with rows.")
    frame = table.to_pandas()
    for name in frame.columns:
        if pd.api.types.is_string_dtype(frame[name]):
            frame[name] = frame[name].astype(object).where(frame[name].notna(), None)
    return frame, fmt, encoding


def import_dataset(
    session: Session,
    data: bytes,
    *,
    filename: str,
    name: str | None = None,
    file_format: str | None = None,
    column_roles: Mapping[str, str] | None = None,
    user: str = "local",
    max_bytes: int = MAX_IMPORT_BYTES,
    max_rows: int = MAX_IMPORT_ROWS,
) -> Dataset:
    """Import a file as a new dataset; all of it or (on any error) none of it.

    Parameters
    ----------
    session
        A session in a write transaction (e.g. ``Database.write()``); the caller commits.
    data
        The file's bytes.
    filename
        Its name (gives the format and the default dataset name).
    name
        The dataset's name; default the file name.
    file_format
        One of :data:`FORMATS`; default from the extension.
    column_roles
        Corrections to the inferred roles, ``{column: role}``.
    user
        Who imports it.
    max_bytes, max_rows
        Size limits; a larger file is refused.

    Returns
    -------
    Dataset
        With ``column_schema`` holding the roles (inferred, then corrected).

    Raises
    ------
    DataValidationError
        If the file is too large, empty or malformed.
    """
    if len(data) > max_bytes:
        raise DataValidationError(
            f"the file is {len(data):,} bytes, over the import limit of {max_bytes:,} bytes; "
            "split it or raise the limit."
        )
    frame, fmt, encoding = read_table(data, filename=filename, file_format=file_format)
    if len(frame) > max_rows:
        raise DataValidationError(
            f"the file has {len(frame):,} rows, over the import limit of {max_rows:,}; "
            "split it or raise the limit."
        )
    roles = merge_column_roles(infer_column_roles(frame), column_roles)
    dataset = Dataset(
        name=name or filename,
        file_format=fmt,
        encoding=encoding,
        n_rows=len(frame),
        size_bytes=len(data),
        columns=[{"name": str(c), "dtype": str(frame[c].dtype)} for c in frame.columns],
        column_schema=roles,
        created_by=user,
    )
    session.add(dataset)
    session.flush()
    lines = frame.to_json(
        orient="records", lines=True, force_ascii=False, date_format="iso", double_precision=15
    )
    rows = lines.rstrip("\n").split("\n") if lines else []
    if len(rows) != len(frame):
        raise DataValidationError(
            f"the file's rows could not be serialised one per line ({len(rows)} lines for "
            f"{len(frame)} rows); report this file."
        )
    dataset_id = dataset.id
    insert_rows(
        session,
        "dataset_rows",
        ("dataset_id", "row_id", "data"),
        ((dataset_id, i, line) for i, line in enumerate(rows)),
    )
    return dataset


def get_dataset(session: Session, dataset_id: int) -> Dataset:
    """The dataset with this id.

    Raises
    ------
    NotFoundError
        If there is none.
    """
    dataset = session.get(Dataset, dataset_id)
    if dataset is None:
        raise NotFoundError(
            f"dataset {dataset_id} does not exist; list datasets with GET /api/datasets."
        )
    return dataset


def load_dataset_frame(session: Session, dataset_id: int) -> pd.DataFrame:
    """A dataset's rows as a DataFrame indexed by row id, values as imported."""
    dataset = get_dataset(session, dataset_id)
    ids: list[int] = []
    lines: list[str] = []
    stmt = (
        select(DatasetRow.row_id, DatasetRow.data)
        .where(DatasetRow.dataset_id == dataset_id)
        .order_by(DatasetRow.row_id)
    )
    for row_id, line in session.execute(stmt):
        ids.append(row_id)
        lines.append(line)
    columns = [c["name"] for c in dataset.columns]
    if not lines:
        return pd.DataFrame(columns=columns)
    frame = pd.read_json(io.StringIO("\n".join(lines)), lines=True, dtype=False)
    frame.index = pd.Index(ids, name="row_id")
    return frame.reindex(columns=columns)
