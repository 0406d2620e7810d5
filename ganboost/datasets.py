"""Dataset entries, fetching raw files (mirror first, sha256 checked) and reading them.

A dataset entry is one ``datasets.<name>`` mapping of ``config.yaml``. Its keys:

Source (exactly one of ``url`` and ``path``)
    ``url``
        http(s) or file URL of the raw file. Needs ``sha256``.
    ``sha256``
        The file's SHA-256 (64 hex digits); every fetched copy is checked against it.
        Optional with ``path``.
    ``path``
        A local file instead of a download. A relative path starts at the working directory
        (the workflow directory when Snakemake runs).
    ``filename``
        File name under ``resources/<name>/`` and in the mirror folder; default: the last
        part of ``url`` or ``path``.

Reading
    ``format``
        ``csv``, ``parquet`` or ``arff``; default from the file suffix (``.csv``, ``.tsv``,
        ``.txt``, ``.parquet``, ``.pq``, ``.arff``).
    ``delimiter``
        CSV field separator; default: detected from the first lines (``,`` ``;`` tab ``|``).
    ``decimal``
        CSV decimal mark, ``.`` (default) or ``,``.
    ``encoding``
        Text encoding of CSV and ARFF files, default ``utf-8`` (a byte-order mark is skipped).

Target
    ``target`` (required)
        The label column.
    ``positive_class``
        For a target that is not already two classes: this label becomes class 1, all
        others class 0. For a two-class target it picks which label is class 1.
    ``positive_threshold``
        For a numeric target: values ``>=`` the threshold become class 1, the others 0.
    ``multiclass``
        ``true`` keeps a target of more than two labels as classes ``0..k-1`` in sorted
        label order; default ``false`` (more than two labels is then an error).

Columns (names after ``rename``)
    ``rename``
        Mapping of column name in the file to the name to use; applied first.
    ``drop``
        Columns to leave out (free text, identifiers, leaky columns).
    ``kinds``
        Column to kind (``numeric``, ``integer``, ``binary``, ``categorical``). A column
        named here keeps that kind and is never dropped automatically.
    ``missing_values``
        Extra markers meaning "not recorded": a list for every column, or a mapping of
        column to marker(s), where the key ``"*"`` holds markers for every column.
    ``datetimes``
        ``convert`` (default): date columns become days since 1970-01-01 with a note;
        ``reject``: a date column is an error.

:func:`normalize_entry` checks an entry and fills these defaults;
:func:`fetch` brings the raw file to ``resources/``; :func:`read_raw` reads it.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import hashlib
import http.client
import io
import logging
import os
import re
import tempfile
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd

from ganboost.schema import COLUMN_KINDS

logger = logging.getLogger(__name__)

MIRROR_VARIABLE = "GANBOOST_DATA_MIRROR"
FORMATS: tuple[str, ...] = ("csv", "parquet", "arff")
SUFFIX_FORMATS = {
    ".csv": "csv", ".tsv": "csv", ".txt": "csv",
    ".parquet": "parquet", ".pq": "parquet",
    ".arff": "arff",
}
DELIMITER_CANDIDATES: tuple[str, ...] = (",", ";", "\t", "|")
DATETIME_POLICIES: tuple[str, ...] = ("convert", "reject")
ALL_COLUMNS = "*"
CHUNK_BYTES = 1 << 16
SAMPLE_CHARACTERS = 1 << 16

KIND_SYNONYMS = {  # only for suggestions
    "float": "numeric", "double": "numeric", "continuous": "numeric", "real": "numeric",
    "int": "integer", "count": "integer", "bool": "binary", "boolean": "binary",
    "category": "categorical", "nominal": "categorical", "string": "categorical",
    "text": "categorical", "str": "categorical",
}

ENTRY_KEYS: dict[str, str] = {
    "url": "http(s) or file URL of the raw file; needs sha256",
    "sha256": "SHA-256 of the raw file (64 hex digits)",
    "path": "local raw file instead of a URL",
    "filename": "file name under resources/<name>/ and in the mirror folder",
    "format": "csv, parquet or arff (default: from the file suffix)",
    "delimiter": "CSV field separator (default: detected)",
    "decimal": "CSV decimal mark, '.' or ','",
    "encoding": "text encoding of CSV and ARFF files (default utf-8)",
    "target": "the label column",
    "positive_class": "label that becomes class 1; all other labels become class 0",
    "positive_threshold": "numeric target >= threshold becomes class 1",
    "multiclass": "keep more than two labels as classes 0..k-1",
    "rename": "mapping of column name in the file to the name to use",
    "drop": "columns to leave out",
    "kinds": "column to kind: numeric, integer, binary or categorical",
    "missing_values": "markers meaning 'not recorded', global list or per column",
    "datetimes": "convert (to days since 1970-01-01) or reject date columns",
}

ENTRY_DEFAULTS: dict[str, Any] = {
    "url": None, "sha256": None, "path": None, "filename": None, "format": None,
    "delimiter": None, "decimal": ".", "encoding": "utf-8", "target": None,
    "positive_class": None, "positive_threshold": None, "multiclass": False,
    "rename": {}, "drop": [], "kinds": {}, "missing_values": {}, "datetimes": "convert",
}


class DatasetError(ValueError):
    """A dataset entry, its source file or its contents cannot be used as they are."""


class ChecksumError(DatasetError):
    """A fetched file does not have the SHA-256 its entry names (``expected``, ``got``)."""

    def __init__(self, message: str, expected: str = "", got: str = "") -> None:
        super().__init__(message)
        self.expected = expected
        self.got = got


# -- small shared helpers --------------------------------------------------------------------
def entry_key(name: str, key: str | None = None) -> str:
    """``datasets.<name>.<key>``, the place in config.yaml an error points to."""
    if not name:
        return key or "dataset"
    return f"datasets.{name}.{key}" if key else f"datasets.{name}"


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` Did you mean 'x'?`` for the closest choice (case-insensitive), or ``""``."""
    choices = [str(c) for c in choices]
    by_folded = {c.casefold(): c for c in choices}
    close = difflib.get_close_matches(str(word).casefold(), list(by_folded), n=1, cutoff=0.6)
    return f" Did you mean {by_folded[close[0]]!r}?" if close else ""


def clean_column_name(value: Any) -> str:
    """A column name as text: Unicode NFC, byte-order mark and surrounding spaces removed."""
    text = unicodedata.normalize("NFC", str(value))
    return text.replace("\ufeff", "").strip()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


# -- entries ---------------------------------------------------------------------------------
def normalize_entry(name: str, entry: Mapping) -> dict:
    """Check one ``datasets.<name>`` entry and return it with every key filled in.

    Raises :class:`DatasetError` naming ``datasets.<name>.<key>`` for unknown keys, a missing
    or doubled source, a URL without ``sha256``, an unknown format and any malformed value.
    Applying it to its own result returns the same entry.
    """
    if not isinstance(entry, Mapping):
        raise DatasetError(
            f"{entry_key(name)}: expected a mapping of settings (url, sha256, target, ...), "
            f"got {type(entry).__name__}"
        )
    _check_known_keys(name, entry)
    normalized = {**ENTRY_DEFAULTS, **{k: v for k, v in entry.items() if v is not None}}
    normalized.update(_normalize_source(name, normalized))
    normalized.update(_normalize_reading(name, normalized))
    normalized.update(_normalize_target(name, normalized))
    normalized.update(_normalize_columns(name, normalized))
    return normalized


def check_not_builtin(name: str, entry: Mapping, builtin: Mapping | None) -> None:
    """Stop an added entry that reuses the name of a built-in (config.yaml) dataset.

    Snakemake merges a ``--configfile`` overlay into config.yaml key by key, so an entry
    named like a built-in one does not replace it: it inherits the built-in url, sha256,
    drop and kinds. Giving it a ``path`` (or a ``url`` where the built-in has a path), or
    another ``target``, shows it is meant as a dataset of its own.
    """
    if builtin is None:
        return
    own_path = bool(entry.get("path")) and not builtin.get("path")
    own_url = bool(entry.get("url")) and not builtin.get("url")
    own_target = clean_column_name(entry.get("target")) != clean_column_name(
        builtin.get("target")
    )
    if own_path or own_url or own_target:
        source = builtin.get("url") or builtin.get("path")
        raise DatasetError(
            f"{entry_key(name)}: the name {name!r} is taken by a built-in dataset entry of "
            f"config.yaml ({source}, target {builtin.get('target')!r}); Snakemake merges "
            "your config file into config.yaml, so your entry would be mixed into that one. "
            f"Pick another name, e.g. 'my_{name}', under datasets: and in your study"
        )


def raw_filename(name: str, entry: Mapping) -> str:
    """File name of the raw file under ``resources/<name>/`` (and in the mirror folder)."""
    if entry.get("filename"):
        return str(entry["filename"])
    if entry.get("url"):
        basename = Path(urllib.parse.unquote(urllib.parse.urlparse(entry["url"]).path)).name
        if not basename:
            raise DatasetError(
                f"{entry_key(name, 'url')}: {entry['url']!r} ends without a file name; "
                f"set {entry_key(name, 'filename')} (e.g. {name}.csv)"
            )
        return basename
    if entry.get("path"):
        return Path(str(entry["path"])).name
    raise DatasetError(f"{entry_key(name)}: set either url (with sha256) or path")


def _check_known_keys(name: str, entry: Mapping) -> None:
    for key in entry:
        if key not in ENTRY_KEYS:
            raise DatasetError(
                f"{entry_key(name, str(key))}: unknown key.{did_you_mean(key, ENTRY_KEYS)} "
                f"Known keys: {', '.join(ENTRY_KEYS)}"
            )


def _normalize_source(name: str, entry: dict) -> dict:
    url, path = entry["url"], entry["path"]
    if url and path:
        raise DatasetError(
            f"{entry_key(name)}: both url and path are set; keep url (with sha256) to "
            "download the file, or path to read a local file"
        )
    if not url and not path:
        raise DatasetError(
            f"{entry_key(name)}: no source; set url (with sha256) or path (a local file)"
        )
    sha256 = _normalize_sha256(name, entry["sha256"])
    if url:
        _check_url(name, url)
        if sha256 is None:
            raise DatasetError(
                f"{entry_key(name, 'sha256')}: a download needs its checksum; add the "
                "file's SHA-256 (`sha256sum <file>`) so a changed or broken download is "
                "caught"
            )
    elif not isinstance(path, str | os.PathLike):
        raise DatasetError(f"{entry_key(name, 'path')}: expected a file path, got {path!r}")
    filename = entry["filename"]
    if filename is not None and (
        not isinstance(filename, str) or not filename or Path(filename).name != filename
    ):
        raise DatasetError(
            f"{entry_key(name, 'filename')}: expected a bare file name such as "
            f"'{name}.csv', got {filename!r}"
        )
    path = str(path) if path else None
    source = {"url": url, "path": path, "sha256": sha256, "filename": filename}
    return {**source, "filename": filename or raw_filename(name, source)}


def _normalize_sha256(name: str, value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip().lower()
    if not re.fullmatch(r"[0-9a-f]{64}", text):
        raise DatasetError(
            f"{entry_key(name, 'sha256')}: {value!r} is not a SHA-256 (64 hex digits); "
            "compute it with `sha256sum <file>`"
        )
    return text


def _check_url(name: str, url: Any) -> None:
    scheme = urllib.parse.urlparse(url).scheme if isinstance(url, str) else ""
    if scheme not in ("http", "https", "file"):
        raise DatasetError(
            f"{entry_key(name, 'url')}: {url!r} is not an http(s) or file URL; "
            "use path for a local file"
        )


def _normalize_reading(name: str, entry: dict) -> dict:
    file_format = entry["format"] or _format_from_suffix(name, entry["filename"])
    if file_format not in FORMATS:
        raise DatasetError(
            f"{entry_key(name, 'format')}: unknown format {file_format!r}; "
            f"use one of {', '.join(FORMATS)}"
        )
    delimiter = entry["delimiter"]
    if delimiter is None and Path(entry["filename"]).suffix.lower() == ".tsv":
        delimiter = "\t"
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1):
        raise DatasetError(
            f"{entry_key(name, 'delimiter')}: expected one character such as ',' or ';', "
            f"got {delimiter!r}"
        )
    if entry["decimal"] not in (".", ","):
        raise DatasetError(
            f"{entry_key(name, 'decimal')}: expected '.' or ',', got {entry['decimal']!r}"
        )
    encoding = entry["encoding"]
    try:
        codecs.lookup(str(encoding))
    except LookupError:
        raise DatasetError(
            f"{entry_key(name, 'encoding')}: unknown encoding {encoding!r}; "
            "use e.g. utf-8, latin-1 or cp1252"
        ) from None
    return {"format": file_format, "delimiter": delimiter, "encoding": str(encoding)}


def _format_from_suffix(name: str, filename: str) -> str:
    suffix = Path(filename).suffix.lower()
    if suffix not in SUFFIX_FORMATS:
        raise DatasetError(
            f"{entry_key(name, 'format')}: cannot tell the format of {filename!r} from its "
            f"suffix; set it to one of {', '.join(FORMATS)}"
        )
    return SUFFIX_FORMATS[suffix]


def _normalize_target(name: str, entry: dict) -> dict:
    target = entry["target"]
    if target is None or isinstance(target, bool | list | dict) or not str(target).strip():
        raise DatasetError(
            f"{entry_key(name, 'target')}: name the label column, e.g. target: survived"
        )
    positive_class, threshold = entry["positive_class"], entry["positive_threshold"]
    if positive_class is not None and threshold is not None:
        raise DatasetError(
            f"{entry_key(name)}: positive_class and positive_threshold are both set; "
            "keep one"
        )
    if positive_class is not None and not isinstance(positive_class, str | int | float):
        raise DatasetError(
            f"{entry_key(name, 'positive_class')}: expected one label, got {positive_class!r}"
        )
    if threshold is not None and (
        isinstance(threshold, bool) or not isinstance(threshold, int | float)
    ):
        raise DatasetError(
            f"{entry_key(name, 'positive_threshold')}: expected a number, got {threshold!r}"
        )
    multiclass = entry["multiclass"]
    if not isinstance(multiclass, bool):
        raise DatasetError(
            f"{entry_key(name, 'multiclass')}: expected true or false, got {multiclass!r}"
        )
    if multiclass and (positive_class is not None or threshold is not None):
        raise DatasetError(
            f"{entry_key(name, 'multiclass')}: true keeps every class, which contradicts "
            "positive_class / positive_threshold; remove one of them"
        )
    return {"target": clean_column_name(target)}


def _normalize_columns(name: str, entry: dict) -> dict:
    rename = _name_mapping(name, "rename", entry["rename"])
    if len(set(rename.values())) != len(rename):
        raise DatasetError(f"{entry_key(name, 'rename')}: two columns get the same new name")
    drop = _name_list(name, "drop", entry["drop"])
    kinds = {column: _kind(name, column, kind)
             for column, kind in _name_mapping(name, "kinds", entry["kinds"]).items()}
    target = entry["target"]
    for key, columns in (("drop", drop), ("kinds", kinds)):
        if target in columns:
            raise DatasetError(
                f"{entry_key(name, key)}: lists the target {target!r}; remove it there"
            )
    both = sorted(set(drop) & set(kinds))
    if both:
        raise DatasetError(
            f"{entry_key(name, 'kinds')}: {both} are also in drop; keep each column in one"
        )
    if entry["datetimes"] not in DATETIME_POLICIES:
        raise DatasetError(
            f"{entry_key(name, 'datetimes')}: expected one of {', '.join(DATETIME_POLICIES)}, "
            f"got {entry['datetimes']!r}"
        )
    return {"rename": rename, "drop": drop, "kinds": kinds,
            "missing_values": _missing_values(name, entry["missing_values"])}


def _name_list(name: str, key: str, value: Any) -> list[str]:
    if isinstance(value, str | int):
        value = [value]
    if not isinstance(value, list | tuple):
        raise DatasetError(f"{entry_key(name, key)}: expected a list of column names")
    return [clean_column_name(v) for v in value]


def _name_mapping(name: str, key: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise DatasetError(
            f"{entry_key(name, key)}: expected a mapping such as {{column: value}}, "
            f"got {value!r}"
        )
    out = {}
    for column, setting in value.items():
        if key == "rename":
            setting = clean_column_name(setting)
            if not setting:
                raise DatasetError(f"{entry_key(name, key)}.{column}: the new name is empty")
        out[clean_column_name(column)] = setting
    return out


def _kind(name: str, column: str, kind: Any) -> str:
    if kind not in COLUMN_KINDS:
        synonym = KIND_SYNONYMS.get(str(kind).casefold())
        hint = f" Did you mean {synonym!r}?" if synonym else did_you_mean(kind, COLUMN_KINDS)
        raise DatasetError(
            f"{entry_key(name, 'kinds')}.{column}: unknown kind {kind!r}.{hint} "
            f"Use one of {', '.join(COLUMN_KINDS)}"
        )
    return kind


def _missing_values(name: str, value: Any) -> dict[str, list]:
    if not isinstance(value, Mapping):
        value = {ALL_COLUMNS: value}
    out: dict[str, list] = {}
    for column, markers in value.items():
        if not isinstance(markers, list | tuple):
            markers = [markers]
        for marker in markers:
            if isinstance(marker, bool) or not isinstance(marker, str | int | float):
                raise DatasetError(
                    f"{entry_key(name, 'missing_values')}: marker {marker!r} is not a text "
                    "or a number"
                )
        column = ALL_COLUMNS if column == ALL_COLUMNS else clean_column_name(column)
        out[column] = list(markers)
    return out


# -- mirror and fetching ---------------------------------------------------------------------
def resolve_mirror(config_value: str | None) -> Path | None:
    """The mirror folder: ``$GANBOOST_DATA_MIRROR`` if set, else the config key, else None."""
    from_environment = os.environ.get(MIRROR_VARIABLE, "").strip()
    value = from_environment or (str(config_value).strip() if config_value else "")
    if not value:
        return None
    folder = Path(value).expanduser()
    if not folder.is_dir():
        origin = MIRROR_VARIABLE if from_environment else "data_mirror in config.yaml"
        raise DatasetError(
            f"mirror folder {value!r} (from {origin}) is not a folder; point it at the folder "
            "that holds the raw files, or unset it to download them"
        )
    return folder


def fetch(
    name: str,
    entry: Mapping,
    destination: Path,
    mirror: Path | None = None,
    timeout: float = 30,
) -> Path:
    """Bring the raw file of dataset ``name`` to ``destination`` and return its path.

    ``destination`` is the file to write, or an existing folder to write
    :func:`raw_filename` into. A ``path`` entry is copied; a ``url`` entry is taken from
    the ``mirror`` folder when a file with the same name and the right sha256 is there,
    and downloaded otherwise. Every copy is checked against ``sha256`` and written to a
    temporary file first, then renamed, so an interrupted fetch leaves no file behind.
    A file already at ``destination`` with the right sha256 is kept.
    """
    entry = normalize_entry(name, entry)
    filename = raw_filename(name, entry)
    destination = Path(destination)
    target = destination / filename if destination.is_dir() else destination
    target.parent.mkdir(parents=True, exist_ok=True)
    expected = entry["sha256"]
    if expected and target.is_file() and sha256_of(target) == expected:
        logger.info("%s: %s is already present and verified", name, target)
        return target
    if entry["path"]:
        return _copy_local(name, entry, target)
    problems: list[str] = []
    if mirror is not None and _copy_from_mirror(name, entry, Path(mirror), target, problems):
        return target
    _download(name, entry, target, timeout, problems, mirror)
    return target


def _copy_local(name: str, entry: Mapping, target: Path) -> Path:
    source = Path(entry["path"]).expanduser()
    if not source.is_file():
        raise DatasetError(
            f"{entry_key(name, 'path')}: file {entry['path']!r} does not exist "
            f"(looked at {source.absolute()}); fix the path (a relative path starts at "
            f"{Path.cwd()}) or create the file"
        )
    if target.exists() and source.resolve() == target.resolve():
        _verify_in_place(name, entry, target)
        return target
    with open(source, "rb") as stream:
        digest = _store(name, stream, target, entry, f"path {source}")
    if not entry["sha256"]:
        logger.info("%s: copied %s (sha256 %s; add it as %s to pin the file)",
                    name, source, digest, entry_key(name, "sha256"))
    return target


def _verify_in_place(name: str, entry: Mapping, target: Path) -> None:
    expected, got = entry["sha256"], sha256_of(target)
    if expected and got != expected:
        raise _checksum_error(name, raw_filename(name, entry), f"path {target}", expected, got)


def _copy_from_mirror(
    name: str, entry: Mapping, mirror: Path, target: Path, problems: list[str]
) -> bool:
    candidate = mirror / raw_filename(name, entry)
    if not candidate.is_file():
        problems.append(f"the mirror folder {mirror} holds no {candidate.name}")
        return False
    try:
        with open(candidate, "rb") as stream:
            _store(name, stream, target, entry, f"mirror file {candidate}")
    except ChecksumError as error:
        logger.warning("%s", error)
        problems.append(
            f"the mirror file {candidate} has sha256 {error.got}, not {error.expected}"
        )
        return False
    logger.info("%s: took %s from the mirror %s", name, candidate.name, mirror)
    return True


def _download(
    name: str,
    entry: Mapping,
    target: Path,
    timeout: float,
    problems: list[str],
    mirror: Path | None,
) -> None:
    url = entry["url"]
    logger.info("%s: downloading %s", name, url)
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            _store(name, response, target, entry, f"download from {url}")
    except ChecksumError as error:
        if problems:
            raise ChecksumError(f"{error} (also: {'; '.join(problems)})") from None
        raise
    except (OSError, ValueError, http.client.HTTPException) as error:
        reason = error
        if isinstance(error, urllib.error.URLError) and not isinstance(
            error, urllib.error.HTTPError
        ):
            reason = error.reason
        problems.append(f"the download from {url} failed ({reason})")
        where = str(mirror) if mirror is not None else (
            f"a mirror folder (data_mirror in config.yaml or ${MIRROR_VARIABLE})"
        )
        filename = raw_filename(name, entry)
        raise DatasetError(
            f"{entry_key(name)}: cannot fetch {filename}: {'; '.join(problems)}. "
            f"Check {entry_key(name, 'url')} and the network connection, or put "
            f"{filename} (sha256 {entry['sha256']}) into {where}"
        ) from None
    logger.info("%s: downloaded %s", name, target.name)


def _store(name: str, stream: BinaryIO, target: Path, entry: Mapping, origin: str) -> str:
    """Copy ``stream`` to ``target`` via a temporary file; check the sha256 before renaming."""
    expected = entry["sha256"]
    digest = hashlib.sha256()
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".part", dir=target.parent
    )
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in iter(lambda: stream.read(CHUNK_BYTES), b""):
                digest.update(chunk)
                out.write(chunk)
        got = digest.hexdigest()
        if expected and got != expected:
            raise _checksum_error(name, raw_filename(name, entry), origin, expected, got)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return got


def _checksum_error(
    name: str, filename: str, origin: str, expected: str, got: str
) -> ChecksumError:
    return ChecksumError(
        f"{entry_key(name)}: checksum mismatch for {filename} ({origin}): expected sha256 "
        f"{expected}, got {got}. The file is damaged or has changed at its source; replace "
        f"it with the original, or, if the new file is the one you want, set "
        f"{entry_key(name, 'sha256')} to {got}",
        expected=expected,
        got=got,
    )


# -- reading ---------------------------------------------------------------------------------
def read_raw(path: Path, entry: Mapping, name: str = "") -> pd.DataFrame:
    """Read a raw CSV, Parquet or ARFF file as it is (no typing beyond the reader's own).

    Only ``format``, ``delimiter``, ``decimal`` and ``encoding`` of ``entry`` are used.
    CSV: the delimiter is detected unless given; a byte-order mark, CRLF line ends and
    quoted fields are handled; only empty cells count as missing here (markers such as
    "?" or "NA" are left to :func:`ganboost.preprocessing.preprocess`). Rows in which
    every cell is empty are dropped, in every format. Column names must be unique.
    """
    path = Path(path)
    options = _reading_options(name, entry, path)
    if not path.is_file():
        raise DatasetError(f"{entry_key(name)}: raw file {path} does not exist; fetch it first")
    readers = {"csv": _read_csv, "parquet": _read_parquet, "arff": _read_arff}
    table = readers[options["format"]](path, options, name)
    _check_unique_names([str(c) for c in table.columns], path, name)
    table = _drop_empty_rows(table, path, name)
    logger.info("%s: read %d rows x %d columns from %s", name or path.name, len(table),
                table.shape[1], path.name)
    return table


def _reading_options(name: str, entry: Mapping, path: Path) -> dict:
    keys = ("format", "delimiter", "decimal", "encoding")
    chosen = {k: entry.get(k) for k in keys if entry.get(k) is not None}
    options = {**{k: ENTRY_DEFAULTS[k] for k in keys}, **chosen, "filename": path.name}
    return _normalize_reading(name, options) | {"decimal": options["decimal"]}


def _text_encoding(encoding: str) -> str:
    # utf-8-sig reads plain UTF-8 as well and skips a byte-order mark.
    return "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding


def _read_csv(path: Path, options: Mapping, name: str) -> pd.DataFrame:
    encoding = _text_encoding(options["encoding"])
    sample = _read_sample(path, encoding, options["encoding"], name)
    delimiter = options["delimiter"] or sniff_delimiter(sample, path, name)
    header = next(csv.reader(io.StringIO(sample), delimiter=delimiter), [])
    _check_unique_names([clean_column_name(h) for h in header], path, name)
    try:
        return pd.read_csv(
            path, sep=delimiter, encoding=encoding, decimal=options["decimal"],
            keep_default_na=False, na_values=[""], skip_blank_lines=True,
        )
    except pd.errors.EmptyDataError:
        raise DatasetError(f"{entry_key(name)}: {path} is empty") from None
    except pd.errors.ParserError as error:
        raise DatasetError(
            f"{entry_key(name)}: cannot parse {path.name} with delimiter {delimiter!r}: "
            f"{str(error).strip()}. Check that every row has as many fields as the header, or set "
            f"{entry_key(name, 'delimiter')}"
        ) from None


def _read_sample(path: Path, encoding: str, shown_encoding: str, name: str) -> str:
    try:
        with open(path, encoding=encoding, newline="") as handle:
            sample = handle.read(SAMPLE_CHARACTERS)
            truncated = bool(handle.read(1))
    except UnicodeDecodeError as error:
        raise DatasetError(
            f"{entry_key(name, 'encoding')}: {path.name} is not valid {shown_encoding} "
            f"(byte {error.start}: {error.reason}); set the file's encoding, e.g. "
            "encoding: latin-1 or cp1252"
        ) from None
    if truncated:
        sample = sample[: sample.rfind("\n") + 1] or sample
    return sample


def sniff_delimiter(sample: str, path: Path | None = None, name: str = "") -> str:
    """The candidate delimiter that splits the header and the first rows alike.

    A candidate qualifies when the header has more than one field and at least 90% of the
    sampled rows have as many; among those the one giving the most fields wins. A file
    that no candidate splits is read as a single column.
    """
    best, best_fields = None, 1
    for delimiter in DELIMITER_CANDIDATES:
        rows = [r for r in csv.reader(io.StringIO(sample), delimiter=delimiter)
                if any(cell.strip() for cell in r)][:50]
        if not rows or len(rows[0]) <= best_fields:
            continue
        body = rows[1:] or rows
        if np.mean([len(r) == len(rows[0]) for r in body]) >= 0.9:
            best, best_fields = delimiter, len(rows[0])
    if best is None:
        if all("," not in line and ";" not in line for line in sample.splitlines()[:5]):
            return ","
        where = path.name if path is not None else "the file"
        raise DatasetError(
            f"{entry_key(name, 'delimiter')}: cannot tell the field separator of {where}; "
            "set it, e.g. delimiter: ';'"
        )
    return best


def _read_parquet(path: Path, options: Mapping, name: str) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except Exception as error:  # pyarrow raises several unrelated exception types
        raise DatasetError(
            f"{entry_key(name)}: cannot read {path.name} as Parquet ({error}); check the "
            f"file or set {entry_key(name, 'format')}"
        ) from None


def _read_arff(path: Path, options: Mapping, name: str) -> pd.DataFrame:
    from scipy.io import arff

    try:
        with open(path, encoding=_text_encoding(options["encoding"])) as handle:
            data, _ = arff.loadarff(handle)
    except (ValueError, NotImplementedError, arff.ArffError, UnicodeDecodeError) as error:
        raise DatasetError(
            f"{entry_key(name)}: cannot read {path.name} as ARFF ({error}); string and "
            "relational attributes are not supported, export such a file as CSV"
        ) from None
    table = pd.DataFrame(data)
    for column in table.columns:
        if table[column].dtype == object:
            table[column] = table[column].map(_decode_nominal)
    return table


def _decode_nominal(value: Any) -> Any:
    text = value.decode("utf-8") if isinstance(value, bytes) else value
    return np.nan if text == "?" else text


def _check_unique_names(names: list[str], path: Path, name: str) -> None:
    cleaned = [clean_column_name(n) for n in names]
    repeated = sorted({n for n in cleaned if cleaned.count(n) > 1})
    if repeated:
        raise DatasetError(
            f"{entry_key(name)}: {path.name} has duplicate column names {repeated}; give "
            "each column its own name in the file's header"
        )


def _drop_empty_rows(table: pd.DataFrame, path: Path, name: str) -> pd.DataFrame:
    blank = pd.DataFrame(
        {c: _blank_cells(table[c]) for c in table.columns}, index=table.index
    ).all(axis=1)
    if not blank.any():
        return table
    logger.info("%s: dropped %d empty row(s) of %s", name or path.name, int(blank.sum()),
                path.name)
    table = table.loc[~blank].reset_index(drop=True)
    return _narrow_integer_columns(table)


def _blank_cells(values: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
        return values.isna()
    return values.isna() | values.astype("str").str.strip().eq("")


def _narrow_integer_columns(table: pd.DataFrame) -> pd.DataFrame:
    """Whole-number float columns without gaps back to int64 (an empty row made them float)."""
    for column in table.columns:
        values = table[column]
        if (pd.api.types.is_float_dtype(values) and len(values) and values.notna().all()
                and np.all(values == np.round(values))):
            table[column] = values.astype("int64")
    return table

