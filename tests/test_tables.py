"""Reading and writing the tabular files users hold (goldlabel.tables)."""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from goldlabel.exceptions import (
    DataFileNotFoundError,
    DataValidationError,
    InvalidOptionError,
    UnknownFileFormatError,
)
from goldlabel.tables import (
    detect_encoding,
    detect_file_kind,
    parse_table,
    read_table,
    write_table,
)

FRAME = pd.DataFrame(
    {"text": ["café au lait", "thé", None], "label": ["a", "b", "a"], "n": [1.5, None, 2.0]}
)
FRENCH = "text,label\n" + "".join(
    f'"Le café est très bon, le thé aussi; numéro {i} à côté de l\'église",good\n'
    for i in range(30)
)


@pytest.mark.parametrize("compression", ["", ".gz", ".bz2", ".xz", ".zst", ".zip"])
@pytest.mark.parametrize("extension", [".csv", ".tsv", ".json", ".jsonl", ".parquet", ".PQ"])
def test_every_format_and_compression_round_trips(
    tmp_path: Path, extension: str, compression: str
) -> None:
    path = write_table(FRAME, tmp_path / f"data{extension}{compression}")
    assert path.is_file()
    got = read_table(path)
    assert got.columns.tolist() == ["text", "label", "n"]
    assert got["text"].tolist()[:2] == ["café au lait", "thé"]
    assert got["text"].isna().tolist() == [False, False, True]
    assert got["n"].isna().tolist() == [False, True, False]
    assert got["n"].dtype == "float64"


@pytest.mark.parametrize(
    ("name", "kwargs", "kind"),
    [
        ("a.csv", {}, ("csv", None)),
        ("A.TSV.GZ", {}, ("tsv", "gzip")),
        ("rows.ndjson.zst", {}, ("jsonl", "zstd")),
        ("x.tab", {}, ("tsv", None)),
        ("upload", {"file_format": "PARQUET"}, ("parquet", None)),
        ("upload.gz", {"file_format": "csv"}, ("csv", None)),
        ("upload.bin.gz", {"file_format": "csv"}, ("csv", "gzip")),
    ],
    ids=["csv", "tsv-gz-upper", "ndjson-zst", "tab", "named", "gz-only-name", "named-gz"],
)
def test_the_name_gives_the_format_and_compression(name: str, kwargs: dict, kind: tuple) -> None:
    assert tuple(detect_file_kind(name, **kwargs)) == kind


@pytest.mark.parametrize(
    ("name", "kwargs", "match"),
    [
        ("data.xlsx", {}, r"cannot tell the format of 'data.xlsx'.*unknown file extension '.xlsx'"),
        ("data", {}, r"unknown file extension '\(none\)'"),
        ("data.gz", {}, r"unknown file extension '.gz'"),
        ("data.csv", {"file_format": "xls"}, r"file_format must be one of \['csv'.*got 'xls'"),
    ],
    ids=["xlsx", "no-extension", "bare-gz", "bad-format-option"],
)
def test_an_unknown_format_is_both_an_option_and_a_data_error(
    name: str, kwargs: dict, match: str
) -> None:
    for error in (UnknownFileFormatError, InvalidOptionError, DataValidationError):
        with pytest.raises(error, match=match):
            parse_table(b"a\n1\n", name=name, **kwargs)


@pytest.mark.parametrize(
    ("data", "name", "match"),
    [
        (b"", "a.csv", r"'a.csv' is empty \(0 bytes\)"),
        (b" \n\n", "a.csv", r"'a.csv' is empty \(3 bytes of whitespace\)"),
        (gzip.compress(b""), "a.csv.gz", r"'a.csv.gz' is empty \(0 bytes\)"),
        (b"a,b\n1,2\n3,4,5\n", "a.csv", "the CSV file 'a.csv' is malformed"),
        (b"a,a\n1,2\n", "a.csv", r"duplicate column names \['a'\]"),
        (b'{"a": 1', "a.json", "the JSON file 'a.json' is malformed"),
        (b'{"a": 1}\n{"a": ', "a.jsonl", "the JSONL file 'a.jsonl' is malformed"),
        (b'"just a string"', "a.json", "must be a list of objects"),
        (b"[]", "a.json", "'a.json' has no rows and no columns"),
        (b"a,b\n", "a.csv", "'a.csv' has a header but no rows"),
        (b"not parquet at all", "a.parquet", "the PARQUET file 'a.parquet' is malformed"),
        (b"not gzip", "a.csv.gz", r"'a.csv.gz' is not a valid gzip file"),
        (b"PK\x05\x06" + bytes(18), "a.csv.zip", r"zip archive 'a.csv.zip' holds 0 files"),
    ],
    ids=[
        "empty",
        "whitespace",
        "empty-gz",
        "ragged-csv",
        "duplicate-columns",
        "broken-json",
        "broken-jsonl",
        "json-not-list",
        "json-empty-list",
        "header-only",
        "bad-parquet",
        "bad-gzip",
        "empty-zip",
    ],
)
def test_bad_files_are_refused_with_a_clear_message(data: bytes, name: str, match: str) -> None:
    with pytest.raises(DataValidationError, match=match):
        parse_table(data, name=name)


@pytest.mark.parametrize(
    "encoding", ["cp1252", "utf-16", "utf-8-sig", "utf-8"], ids=["cp1252", "utf16", "bom", "utf8"]
)
def test_encodings_are_detected(encoding: str) -> None:
    parsed = parse_table(FRENCH.encode(encoding), name="fr.csv")
    assert parsed.frame.columns.tolist() == ["text", "label"]
    assert parsed.frame["text"].iloc[3] == (
        "Le café est très bon, le thé aussi; numéro 3 à côté de l'église"
    )
    assert parsed.encoding == {"cp1252": "cp1252", "utf-16": "utf_16"}.get(encoding, "utf-8")


def test_strict_utf8_refuses_other_encodings(tmp_path: Path) -> None:
    path = tmp_path / "fr.csv"
    path.write_bytes(FRENCH.encode("cp1252"))
    assert read_table(path)["label"].eq("good").all()  # detected by default
    with pytest.raises(DataValidationError, match=r"'.*fr.csv' is not valid UTF-8 text \(byte"):
        read_table(path, encoding="utf-8")


def test_binary_noise_is_not_text() -> None:
    noise = bytes(range(256)) * 4 + b"\x00\xff\xfe\x00" * 100
    with pytest.raises(DataValidationError, match="do not decode as text in any known encoding"):
        detect_encoding(noise)
    with pytest.raises(DataValidationError, match="do not decode as text"):
        parse_table(noise, name="noise.csv")


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (json.dumps({"text": {"0": "a", "1": "b"}, "label": {"0": 1, "1": 2}}), "cols.json"),
        (json.dumps({"rows": [{"text": "a", "label": 1}, {"text": "b", "label": 2}]}), "r.json"),
        ('{"text": "a", "label": 1}\n{"text": "b", "label": 2}\n', "lines.json"),
        ('{"text": "a", "label": 1}\n{"text": "b", "label": "2"}\n', "mixed.jsonl"),
        ('[{"text": "a", "label": 1}, {"text": "b", "label": 2, "extra": true}]', "keys.json"),
    ],
    ids=["columns-orient", "object-holding-rows", "lines-saved-as-json", "mixed-types", "keys"],
)
def test_json_tables_in_the_shapes_people_save(content: str, name: str) -> None:
    frame = parse_table(content.encode(), name=name).frame
    assert frame["text"].tolist() == ["a", "b"]
    assert [str(v) for v in frame["label"]] == ["1", "2"]


def test_a_missing_file_is_a_file_not_found_error(tmp_path: Path) -> None:
    for error in (DataFileNotFoundError, FileNotFoundError, DataValidationError):
        with pytest.raises(error, match=r"no file at '.*nowhere.csv' \(resolved to '/"):
            read_table(tmp_path / "nowhere.csv")


def test_the_extension_is_checked_before_the_file_exists(tmp_path: Path) -> None:
    with pytest.raises(UnknownFileFormatError, match=r"unknown file extension '\.xlsx'"):
        read_table(tmp_path / "nowhere.xlsx")


def test_a_zip_must_hold_one_file(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.csv", "a\n1\n")
        archive.writestr("b.csv", "a\n2\n")
    with pytest.raises(DataValidationError, match="holds 2 files; a zipped table must hold"):
        parse_table(buffer.getvalue(), name="two.csv.zip")


def test_decompression_is_bounded_by_max_bytes() -> None:
    packed = gzip.compress(b"a\n" + b"1\n" * 5000)
    assert len(parse_table(packed, name="a.csv.gz", max_bytes=20_000).frame) == 5000
    with pytest.raises(DataValidationError, match=r"decompresses to over 1,000 bytes"):
        parse_table(packed, name="a.csv.gz", max_bytes=1_000)


def test_a_parquet_file_with_no_rows_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.parquet"
    FRAME.iloc[:0].to_parquet(path)
    with pytest.raises(DataValidationError, match="has a header but no rows"):
        read_table(path)


@pytest.mark.parametrize(
    ("name", "error", "match"),
    [
        ("no/out.csv", DataValidationError, r"the folder '.*no' does not exist"),
        ("out.xlsx", UnknownFileFormatError, "unknown file extension '.xlsx'"),
    ],
    ids=["missing-folder", "unknown-extension"],
)
def test_write_table_refuses_what_it_cannot_write(
    tmp_path: Path, name: str, error: type, match: str
) -> None:
    with pytest.raises(error, match=match):
        write_table(FRAME, tmp_path / name)
