from __future__ import annotations

import gzip
import io
import json

import pandas as pd
import pytest

from goldlabel.exceptions import DataValidationError, InvalidOptionError
from goldlabel.service.importing import import_dataset, load_dataset_frame
from goldlabel.store import Database
from goldlabel.store.tables import Dataset

ROWS = [
    {"id": 1, "text": "the striker scored twice in the final", "label": "Sports", "n": 1.5},
    {"id": 2, "text": "shares fell after the earnings report", "label": None, "n": 2.0},
    {"id": 3, "text": "café prices rose again this week in town", "label": "Business", "n": None},
]


def _encode(fmt: str) -> bytes:
    frame = pd.DataFrame(ROWS)
    if fmt == "csv":
        return frame.to_csv(index=False).encode()
    if fmt == "tsv":
        return frame.to_csv(index=False, sep="\t").encode()
    if fmt == "json":
        return json.dumps(ROWS).encode()
    if fmt == "jsonl":
        return "\n".join(json.dumps(r) for r in ROWS).encode()
    out = io.BytesIO()
    frame.to_parquet(out, index=False)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "jsonl", "parquet"])
def test_every_format_imports_the_same_rows(database: Database, fmt: str) -> None:
    with database.write() as session:
        ds = import_dataset(session, _encode(fmt), filename=f"news.{fmt}")
        assert ds.n_rows == 3
        assert ds.file_format == fmt
        assert ds.column_schema == {"id": "id", "text": "text", "label": "label", "n": "feature"}
    with database.read() as session:
        frame = load_dataset_frame(session, ds.id)
    assert frame["text"].tolist() == [r["text"] for r in ROWS]
    assert frame["label"].tolist()[0] == "Sports"
    assert frame["label"].isna().tolist() == [False, True, False]  # empty label = unlabeled
    assert frame.index.tolist() == [0, 1, 2]


@pytest.mark.parametrize(
    "encoding", ["cp1252", "utf-16", "utf-8-sig"], ids=["cp1252", "utf16", "bom"]
)
def test_encodings_are_detected(database: Database, encoding: str) -> None:
    text = "text,label\n" + "".join(
        f'"Le café est très bon, le thé aussi; numéro {i} à côté de l\'église",good\n'
        for i in range(30)
    )
    with database.write() as session:
        ds = import_dataset(session, text.encode(encoding), filename="fr.csv")
    with database.read() as session:
        frame = load_dataset_frame(session, ds.id)
    assert (
        frame["text"].iloc[3] == "Le café est très bon, le thé aussi; numéro 3 à côté de l'église"
    )


@pytest.mark.parametrize(
    ("data", "filename", "kwargs", "error", "match"),
    [
        (b"a\n1\n", "data.xlsx", {}, InvalidOptionError, "cannot tell the format"),
        (b"a\n1\n", "data.csv", {"file_format": "xls"}, InvalidOptionError, "must be one of"),
        (b"a,b\n1,2\n3,4,5\n", "a.csv", {}, DataValidationError, "CSV file 'a.csv' is malformed"),
        (b"a,b\n", "a.csv", {}, DataValidationError, "has a header but no rows"),
    ],
    ids=["unknown-extension", "unknown-format", "ragged-csv", "header-only"],
)
def test_bad_files_leave_no_dataset(
    sqlite_db: Database, data: bytes, filename: str, kwargs: dict, error: type, match: str
) -> None:
    with pytest.raises(error, match=match), sqlite_db.write() as session:
        import_dataset(session, data, filename=filename, **kwargs)
    with sqlite_db.read() as session:
        assert session.query(Dataset).count() == 0


def test_a_compressed_upload_imports_and_its_decompressed_size_is_limited(
    sqlite_db: Database,
) -> None:
    packed = gzip.compress(_encode("csv"))
    with sqlite_db.write() as session:
        ds = import_dataset(session, packed, filename="news.csv.gz")
        assert (ds.n_rows, ds.file_format, ds.size_bytes) == (3, "csv", len(packed))
    bomb = gzip.compress(b"text,label\n" + b"x,a\n" * 10_000)
    with pytest.raises(DataValidationError, match="decompresses to over 1,000 bytes"):
        with sqlite_db.write() as session:
            import_dataset(session, bomb, filename="bomb.csv.gz", max_bytes=1_000)
    with sqlite_db.read() as session:
        assert session.query(Dataset).count() == 1


@pytest.mark.parametrize(
    ("limits", "match"),
    [
        ({"max_bytes": 10}, "over the import limit of 10 bytes"),
        ({"max_rows": 2}, "over the import limit of 2"),
    ],
    ids=["bytes", "rows"],
)
def test_size_limits_leave_no_dataset(sqlite_db: Database, limits: dict, match: str) -> None:
    with pytest.raises(DataValidationError, match=match), sqlite_db.write() as session:
        import_dataset(session, _encode("csv"), filename="a.csv", **limits)
    with sqlite_db.read() as session:
        assert session.query(Dataset).count() == 0


def test_column_roles_can_be_corrected(sqlite_db: Database) -> None:
    with sqlite_db.write() as session:
        ds = import_dataset(
            session, _encode("csv"), filename="a.csv", column_roles={"n": "label", "text": "ignore"}
        )
        assert ds.column_schema == {"id": "id", "text": "ignore", "label": "feature", "n": "label"}
