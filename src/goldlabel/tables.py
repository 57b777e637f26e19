"""The tabular files users hold: CSV, TSV, JSON, JSON lines and Parquet, plain or compressed.

One reader and one writer for the whole package: the library (:class:`goldlabel.audit.Audit`), the
command line and the studio's importer all read files here, so a file reads the same everywhere and
a bad one fails with the same message. The format comes from the extension (``data.csv``,
``data.jsonl.gz``); text is UTF-8 unless another encoding is named or detected (charset-normalizer).

This module imports nothing of goldlabel's but :mod:`goldlabel.exceptions`.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any, NamedTuple

import charset_normalizer
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq

from goldlabel.exceptions import (
    DataFileNotFoundError,
    DataValidationError,
    UnknownFileFormatError,
)

__all__ = [
    "COMPRESSIONS",
    "EXTENSIONS",
    "TABLE_FORMATS",
    "FileKind",
    "ParsedTable",
    "detect_encoding",
    "detect_file_kind",
    "parse_table",
    "read_table",
    "write_table",
]

#: The formats goldlabel reads and writes.
TABLE_FORMATS = ("csv", "tsv", "json", "jsonl", "parquet")

#: File extension -> format.
EXTENSIONS: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}

#: Extension of a compressed file (``data.csv.gz``) -> compression.
COMPRESSIONS: dict[str, str] = {
    ".gz": "gzip",
    ".bz2": "bz2",
    ".xz": "xz",
    ".zst": "zstd",
    ".zip": "zip",
}

# Legacy code pages people actually use, preferred in this order on charset-normalizer's near-ties.
_PREFERRED = tuple(
    "utf_16 utf_32 cp1252 latin_1 iso8859_15 shift_jis gb18030 euc_kr big5 cp1251".split()
)


class FileKind(NamedTuple):
    """What a file name says about its content: the format and the compression (None if plain)."""

    file_format: str
    compression: str | None


@dataclass(frozen=True)
class ParsedTable:
    """A table read from a file, with what was found out while reading it.

    Attributes
    ----------
    frame : pandas.DataFrame
        The rows; empty cells are missing values.
    file_format : str
        One of :data:`TABLE_FORMATS`.
    compression : str or None
        One of the values of :data:`COMPRESSIONS`, or None for a plain file.
    encoding : str
        The text encoding the bytes were decoded with; ``"binary"`` for Parquet.
    """

    frame: pd.DataFrame
    file_format: str
    compression: str | None
    encoding: str


def detect_file_kind(name: str | os.PathLike[str], *, file_format: str | None = None) -> FileKind:
    """The format and compression of a file, from its name (or from ``file_format``).

    Parameters
    ----------
    name : str or path
        The file's name or path; ``data.csv``, ``data.csv.gz`` and ``DATA.PARQUET`` all work.
    file_format : str, optional
        One of :data:`TABLE_FORMATS`, to use instead of the extension (the compression still comes
        from the name).

    Returns
    -------
    FileKind

    Raises
    ------
    UnknownFileFormatError
        If the extension (or ``file_format``) is not one goldlabel knows.

    Examples
    --------
    >>> detect_file_kind("news.csv.gz")
    FileKind(file_format='csv', compression='gzip')
    >>> detect_file_kind("upload.bin", file_format="jsonl")
    FileKind(file_format='jsonl', compression=None)
    """
    suffixes = [s.lower() for s in PurePath(name).suffixes]
    compression = COMPRESSIONS.get(suffixes[-1]) if len(suffixes) > 1 else None
    if compression is not None:
        suffixes.pop()
    if file_format is not None:
        fmt = file_format.lower()
        if fmt not in TABLE_FORMATS:
            raise UnknownFileFormatError(
                f"file_format must be one of {list(TABLE_FORMATS)}; got {file_format!r}."
            )
        return FileKind(fmt, compression)
    suffix = suffixes[-1] if suffixes else ""
    known = EXTENSIONS.get(suffix)
    if known is None:
        raise UnknownFileFormatError(
            f"cannot tell the format of {str(name)!r} from its extension: unknown file extension "
            f"{suffix or '(none)'!r}. Name the file with one of {sorted(EXTENSIONS)} (optionally "
            f"followed by one of {sorted(COMPRESSIONS)}), pass file_format (one of "
            f"{list(TABLE_FORMATS)}), or load it yourself and pass a pandas DataFrame."
        )
    return FileKind(known, compression)


def detect_encoding(data: bytes) -> str:
    """The text encoding of ``data``: UTF-8 if it decodes as such, else charset-normalizer's guess.

    Raises
    ------
    DataValidationError
        If no encoding decodes the bytes (e.g. a binary file).

    Examples
    --------
    >>> detect_encoding("prix: 10 €".encode())
    'utf-8'
    >>> detect_encoding("prix: 10 € le café, très bon".encode("cp1252"))
    'cp1252'
    """
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    matches = charset_normalizer.from_bytes(data[:1_000_000])
    best = matches.best()
    if best is None:
        raise DataValidationError(
            "the file's bytes do not decode as text in any known encoding; "
            "save it as UTF-8 text (or use a Parquet file)."
        )
    for match in matches:  # near-ties between legacy code pages are common
        if match.encoding in _PREFERRED and match.chaos <= best.chaos + 0.1:
            rank = _PREFERRED.index(best.encoding) if best.encoding in _PREFERRED else 99
            if _PREFERRED.index(match.encoding) < rank:
                best = match
    return str(best.encoding)


def _open_compressed(data: bytes, compression: str, name: str) -> Any:
    """A binary stream of the decompressed content (gzip, bz2, xz, zstd or a one-file zip)."""
    raw = io.BytesIO(data)
    if compression == "gzip":
        return gzip.GzipFile(fileobj=raw)
    if compression == "bz2":
        return bz2.BZ2File(raw)
    if compression == "xz":
        return lzma.LZMAFile(raw)
    if compression == "zstd":
        return pa.input_stream(raw, compression="zstd")
    archive = zipfile.ZipFile(raw)
    members = [m for m in archive.infolist() if not m.is_dir()]
    if len(members) != 1:
        raise DataValidationError(
            f"the zip archive {name!r} holds {len(members)} files; a zipped table must hold "
            "exactly one. Unzip it and pick the file to read."
        )
    return archive.open(members[0])


def _decompress(data: bytes, compression: str, name: str, max_bytes: int | None) -> bytes:
    try:
        with _open_compressed(data, compression, name) as stream:
            out = stream.read() if max_bytes is None else stream.read(max_bytes + 1)
    except (OSError, EOFError, lzma.LZMAError, zipfile.BadZipFile, pa.ArrowException) as err:
        raise DataValidationError(
            f"{name!r} is not a valid {compression} file ({err}); check that it was compressed "
            "as its extension says, or decompress it yourself."
        ) from err
    if max_bytes is not None and len(out) > max_bytes:
        raise DataValidationError(
            f"{name!r} decompresses to over {max_bytes:,} bytes, over the limit; split it or "
            "raise the limit."
        )
    return out


def _decode(data: bytes, name: str, encoding: str | None) -> tuple[bytes, str]:
    """UTF-8 bytes (without a byte-order mark) and the encoding they were decoded from."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    if encoding is None:
        encoding = detect_encoding(data)
    if encoding.lower().replace("-", "_") in ("utf_8", "utf8", "ascii"):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as err:
            raise DataValidationError(
                f"{name!r} is not valid UTF-8 text (byte {err.start}: {err.reason}); save it as "
                "UTF-8 (e.g. `iconv -f latin1 -t utf-8`) and try again."
            ) from err
        return data, "utf-8"
    try:
        return data.decode(encoding).encode("utf-8"), encoding
    except (UnicodeDecodeError, LookupError) as err:
        raise DataValidationError(
            f"{name!r} looks like {encoding} text but does not decode as it ({err}); "
            "save it as UTF-8 text."
        ) from err


def _records_frame(data: bytes, fmt: str) -> pd.DataFrame:
    """A JSON document (or JSON lines) of row objects as a frame; raises json.JSONDecodeError."""
    try:
        records: Any = json.loads(data)
    except json.JSONDecodeError:
        if fmt == "jsonl" or data.lstrip()[:1] == b"{":  # one object per line saved as .json
            records = [json.loads(line) for line in data.splitlines() if line.strip()]
        else:
            raise
    if isinstance(records, dict):
        rows = next((v for v in records.values() if isinstance(v, list)), None)
        if rows is not None and all(isinstance(r, dict) for r in rows):
            records = rows
        elif records and all(isinstance(v, (dict, list)) for v in records.values()):
            return pd.DataFrame(records)  # {"column": {"0": value, ...}, ...}, pandas' default
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise DataValidationError(
            "a JSON table must be a list of objects, one per row (or an object holding such a "
            "list); use JSON Lines for one object per line."
        )
    return pd.DataFrame.from_records(records)


def _arrow_frame(table: pa.Table, name: str) -> pd.DataFrame:
    names = table.column_names
    if len(set(names)) != len(names):
        duplicated = sorted({n for n in names if names.count(n) > 1})
        raise DataValidationError(
            f"{name!r} has duplicate column names {duplicated}; rename them and try again."
        )
    return table.to_pandas()


def _parse(data: bytes, fmt: str, name: str, encoding: str | None) -> tuple[pd.DataFrame, str]:
    if fmt == "parquet":
        return _arrow_frame(pq.read_table(io.BytesIO(data)), name), "binary"
    data, used = _decode(data, name, encoding)
    if fmt in ("csv", "tsv"):
        table = pacsv.read_csv(
            io.BytesIO(data),
            parse_options=pacsv.ParseOptions(
                delimiter="\t" if fmt == "tsv" else ",", newlines_in_values=True
            ),
            convert_options=pacsv.ConvertOptions(strings_can_be_null=True),
            read_options=pacsv.ReadOptions(block_size=1 << 24),
        )
        return _arrow_frame(table, name), used
    if fmt == "jsonl":
        try:
            return _arrow_frame(pajson.read_json(io.BytesIO(data)), name), used
        except pa.ArrowInvalid:  # e.g. a column whose type changes; Python's parser copes
            pass
    return _records_frame(data, fmt), used


def _check_rows(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    if frame.shape[1] == 0:
        rows = "no rows and " if len(frame) == 0 else ""
        raise DataValidationError(f"{name!r} has {rows}no columns; there is nothing to read.")
    if len(frame) == 0:
        raise DataValidationError(f"{name!r} has a header but no rows; there is nothing to read.")
    return frame


def parse_table(
    data: bytes,
    *,
    name: str,
    file_format: str | None = None,
    encoding: str | None = None,
    max_bytes: int | None = None,
) -> ParsedTable:
    """Parse a file's bytes into a DataFrame.

    Parameters
    ----------
    data : bytes
        The file's content, compressed or not.
    name : str
        The file's name: its extension gives the format and compression, and messages quote it.
    file_format : str, optional
        One of :data:`TABLE_FORMATS`, instead of the extension.
    encoding : str, optional
        The text encoding; default: UTF-8 if the bytes are UTF-8, else detected. Pass ``"utf-8"``
        to refuse anything else. Ignored for Parquet.
    max_bytes : int, optional
        Refuse a compressed file that decompresses to more bytes than this.

    Returns
    -------
    ParsedTable

    Raises
    ------
    UnknownFileFormatError
        If the format is neither given nor told by the extension.
    DataValidationError
        If the file is empty, undecodable, malformed, has duplicate column names or no rows.

    Examples
    --------
    >>> parsed = parse_table(b"text,label\\nhello,a\\nbye,\\n", name="x.csv")
    >>> parsed.frame["label"].isna().tolist(), parsed.file_format, parsed.encoding
    ([False, True], 'csv', 'utf-8')
    """
    fmt, compression = detect_file_kind(name, file_format=file_format)
    if compression is not None:
        data = _decompress(data, compression, name, max_bytes)
    if not data.strip():
        raise DataValidationError(
            f"{name!r} is empty ({len(data)} bytes{' of whitespace' if data else ''}); "
            "there is nothing to read."
        )
    try:
        frame, used = _parse(data, fmt, name, encoding)
    except (pa.ArrowInvalid, json.JSONDecodeError, OSError) as err:
        raise DataValidationError(
            f"the {fmt.upper()} file {name!r} is malformed: {err}. Check its delimiter, quoting "
            "and that every row has the same columns."
        ) from err
    return ParsedTable(_check_rows(frame, name), fmt, compression, used)


def read_table(
    path: str | os.PathLike[str], *, file_format: str | None = None, encoding: str | None = None
) -> pd.DataFrame:
    """Read a table file into a DataFrame.

    Parameters
    ----------
    path : str or path
        A CSV, TSV, JSON, JSON lines or Parquet file, optionally compressed (see :data:`EXTENSIONS`
        and :data:`COMPRESSIONS`).
    file_format, encoding
        As for :func:`parse_table`.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    UnknownFileFormatError
        If the extension is not one goldlabel reads.
    DataFileNotFoundError
        If there is no file at ``path``.
    DataValidationError
        As for :func:`parse_table`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "t.csv").write_text("text,label\\nhello,a\\n")
    >>> read_table(folder / "t.csv").shape
    (1, 2)
    """
    file = Path(path)
    fmt, compression = detect_file_kind(file, file_format=file_format)
    if not file.is_file():
        raise DataFileNotFoundError(
            f"no file at {str(file)!r} (resolved to {str(file.resolve())!r}); check the path, or "
            "pass a DataFrame instead."
        )
    if fmt == "parquet" and compression is None and file.stat().st_size > 0:
        try:  # read from the file itself, column by column, without a copy of its bytes
            frame = _arrow_frame(pq.read_table(file), str(file))
        except (pa.ArrowInvalid, OSError) as err:
            raise DataValidationError(
                f"the PARQUET file {str(file)!r} is malformed: {err}. Check that it was written "
                "as Parquet."
            ) from err
        return _check_rows(frame, str(file))
    return parse_table(
        file.read_bytes(), name=str(file), file_format=file_format, encoding=encoding
    ).frame


def _to_bytes(frame: pd.DataFrame, fmt: str) -> bytes:
    if fmt == "parquet":
        buffer = io.BytesIO()
        frame.to_parquet(buffer, index=False)
        return buffer.getvalue()
    if fmt in ("csv", "tsv"):
        text = frame.to_csv(sep="\t" if fmt == "tsv" else ",", index=False)
    else:
        text = frame.to_json(orient="records", lines=fmt == "jsonl", force_ascii=False)
    return str(text).encode("utf-8")


def write_table(frame: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``frame`` in the format (and compression) named by the extension of ``path``.

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows to write; the index is not written.
    path : str or path
        Where to write it, e.g. ``out.csv``, ``out.jsonl.gz`` or ``out.parquet``.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    UnknownFileFormatError
        If the extension is not one goldlabel writes.
    DataValidationError
        If the folder of ``path`` does not exist.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> read_table(write_table(pd.DataFrame({"a": [1, 2]}), folder / "a.csv.gz"))["a"].tolist()
    [1, 2]
    """
    file = Path(path)
    fmt, compression = detect_file_kind(file)
    if not file.parent.is_dir():
        raise DataValidationError(
            f"cannot write {str(file)!r}: the folder {str(file.parent)!r} does not exist."
        )
    data = _to_bytes(frame, fmt)
    if compression is None:
        file.write_bytes(data)
    elif compression == "zip":
        with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(file.stem, data)
    elif compression == "zstd":
        with pa.output_stream(str(file), compression="zstd") as stream:
            stream.write(data)
    elif compression == "gzip":
        with gzip.open(file, "wb") as stream:
            stream.write(data)
    elif compression == "bz2":
        with bz2.open(file, "wb") as stream:
            stream.write(data)
    else:
        with lzma.open(file, "wb") as stream:
            stream.write(data)
    return file
