"""Reading and writing the tables the command line works on: CSV, TSV, JSON, JSON lines, Parquet."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from goldlabel.exceptions import DataValidationError

__all__ = ["SUFFIXES", "read_table", "write_table"]

#: File suffixes the command line reads and writes, and the format of each.
SUFFIXES: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}


def _format_of(path: Path) -> str:
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise DataValidationError(
            f"cannot tell the format of {str(path)!r} from its extension "
            f"{path.suffix or '(none)'!r}; use one of {', '.join(SUFFIXES)}."
        )
    return kind


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a table, refusing empty files and bytes that are not UTF-8 with a clear message.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "t.csv").write_text("text,label\\nhello,a\\n")
    >>> read_table(folder / "t.csv").shape
    (1, 2)
    """
    file = Path(path)
    kind = _format_of(file)
    if not file.is_file():
        raise DataValidationError(f"no file at {str(file)!r}; check the path.")
    if file.stat().st_size == 0:
        raise DataValidationError(f"{str(file)!r} is empty (0 bytes); there is nothing to read.")
    try:
        if kind == "csv":
            frame = pd.read_csv(file, encoding="utf-8")
        elif kind == "tsv":
            frame = pd.read_csv(file, sep="\t", encoding="utf-8")
        elif kind == "jsonl":
            frame = pd.read_json(file, lines=True, encoding="utf-8")
        elif kind == "json":
            try:
                frame = pd.read_json(file, encoding="utf-8")
            except ValueError:
                frame = pd.read_json(file, lines=True, encoding="utf-8")
        else:
            frame = pd.read_parquet(file)
    except UnicodeDecodeError as error:
        raise DataValidationError(
            f"{str(file)!r} is not valid UTF-8 text (byte {error.start}: {error.reason}); save it "
            "as UTF-8 (e.g. `iconv -f latin1 -t utf-8`) and try again."
        ) from error
    except pd.errors.EmptyDataError as error:
        raise DataValidationError(
            f"{str(file)!r} holds no columns or rows; there is nothing to read."
        ) from error
    except (pd.errors.ParserError, ValueError, OSError) as error:
        raise DataValidationError(
            f"could not read {str(file)!r} as {kind.upper()}: {error}".rstrip()
        ) from error
    if len(frame) == 0:
        raise DataValidationError(
            f"{str(file)!r} has a header but no rows; there is nothing to do."
        )
    return frame


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` in the format named by the extension of ``path``; returns the path."""
    file = Path(path)
    kind = _format_of(file)
    if file.parent and not file.parent.exists():
        raise DataValidationError(
            f"cannot write {str(file)!r}: the folder {str(file.parent)!r} does not exist."
        )
    if kind == "csv":
        frame.to_csv(file, index=False)
    elif kind == "tsv":
        frame.to_csv(file, sep="\t", index=False)
    elif kind == "jsonl":
        frame.to_json(file, orient="records", lines=True)
    elif kind == "json":
        frame.to_json(file, orient="records")
    else:
        frame.to_parquet(file, index=False)
    return file
