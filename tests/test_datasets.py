"""Dataset entries, fetching with mirror and checksum, reading raw files."""

from __future__ import annotations

import functools
import hashlib
import http.server
import importlib.util
import os
import re
import socket
import threading
from pathlib import Path

import pandas as pd
import pytest
import yaml

from ganboost import datasets
from ganboost.datasets import (
    ChecksumError,
    DatasetError,
    fetch,
    normalize_entry,
    raw_filename,
    read_raw,
    resolve_mirror,
)
from ganboost.preprocessing import preprocess

ROOT = Path(__file__).resolve().parents[1]
MIRROR = Path(os.environ.get("GANBOOST_DATA_MIRROR") or ROOT.parent / "shared" / "datasets")
CONFIG_DATASETS = yaml.safe_load((ROOT / "config.yaml").read_text())["datasets"]
TITANIC_SHA = CONFIG_DATASETS["titanic"]["sha256"]


@pytest.fixture
def mirror() -> Path:
    if not (MIRROR / "titanic.csv").is_file():
        pytest.skip(f"dataset mirror {MIRROR} is absent")
    return MIRROR


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch):
    """No mirror from the environment, and no proxy between the tests and 127.0.0.1."""
    for variable in (datasets.MIRROR_VARIABLE, "http_proxy", "https_proxy", "HTTP_PROXY",
                     "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(variable, raising=False)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def served(tmp_path):
    """A folder served over HTTP on 127.0.0.1 (a free port) and its base URL."""
    root = tmp_path / "served"
    root.mkdir()
    handler = functools.partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def closed_url():
    """A URL on a local port that is bound but not listening: connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/titanic.csv"


def write(path: Path, data: bytes) -> tuple[Path, str]:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path, hashlib.sha256(data).hexdigest()


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


# -- entries ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(CONFIG_DATASETS))
def test_config_entries_normalize_and_are_stable(name):
    entry = normalize_entry(name, CONFIG_DATASETS[name])
    assert normalize_entry(name, entry) == entry
    assert entry["sha256"] == CONFIG_DATASETS[name]["sha256"]
    assert raw_filename(name, entry) == Path(entry["url"]).name


def test_normalize_fills_defaults():
    entry = normalize_entry("demo", {"path": "data/demo.tsv", "target": " y "})
    assert entry["format"] == "csv" and entry["delimiter"] == "\t"
    assert entry["target"] == "y" and entry["encoding"] == "utf-8"
    assert entry["drop"] == [] and entry["kinds"] == {} and entry["multiclass"] is False
    assert entry["missing_values"] == {} and entry["datetimes"] == "convert"
    assert set(entry) == set(datasets.ENTRY_KEYS)


def test_missing_values_forms():
    glob = normalize_entry("demo", {"path": "a.csv", "target": "y", "missing_values": "?"})
    assert glob["missing_values"] == {"*": ["?"]}
    both = normalize_entry("demo", {"path": "a.csv", "target": "y",
                                    "missing_values": {"*": ["?"], "bmi": 0}})
    assert both["missing_values"] == {"*": ["?"], "bmi": [0]}


URL = "https://example.org/data/demo.csv"
SHA = "a" * 64
BAD_ENTRIES = [
    ({"url": URL, "sha256": SHA, "traget": "y"},
     "datasets.demo.traget: unknown key. Did you mean 'target'?"),
    ({"url": URL, "target": "y"}, "datasets.demo.sha256: a download needs its checksum"),
    ({"url": URL, "sha256": SHA, "path": "a.csv", "target": "y"},
     "datasets.demo: both url and path are set"),
    ({"target": "y"}, "datasets.demo: no source; set url (with sha256) or path"),
    ({"url": URL, "sha256": "abc", "target": "y"}, "datasets.demo.sha256: 'abc' is not a SHA"),
    ({"url": "ftp://example.org/a.csv", "sha256": SHA, "target": "y"},
     "datasets.demo.url: 'ftp://example.org/a.csv' is not an http(s) or file URL"),
    ({"path": "a.csv", "format": "xlsx", "target": "y"},
     "datasets.demo.format: unknown format 'xlsx'; use one of csv, parquet, arff"),
    ({"path": "a.xlsx", "target": "y"}, "datasets.demo.format: cannot tell the format"),
    ({"path": "a.csv"}, "datasets.demo.target: name the label column"),
    ({"path": "a.csv", "target": "y", "kinds": {"age": "float"}},
     "datasets.demo.kinds.age: unknown kind 'float'. Did you mean 'numeric'?"),
    ({"path": "a.csv", "target": "y", "kinds": ["age"]}, "datasets.demo.kinds: expected a map"),
    ({"path": "a.csv", "target": "y", "drop": {"a": 1}}, "datasets.demo.drop: expected a list"),
    ({"path": "a.csv", "target": "y", "drop": ["y"]}, "datasets.demo.drop: lists the target"),
    ({"path": "a.csv", "target": "y", "drop": ["a"], "kinds": {"a": "numeric"}},
     "datasets.demo.kinds: ['a'] are also in drop"),
    ({"path": "a.csv", "target": "y", "positive_class": 1, "positive_threshold": 2},
     "positive_class and positive_threshold are both set"),
    ({"path": "a.csv", "target": "y", "positive_threshold": "7"},
     "datasets.demo.positive_threshold: expected a number, got '7'"),
    ({"path": "a.csv", "target": "y", "multiclass": "yes"},
     "datasets.demo.multiclass: expected true or false"),
    ({"path": "a.csv", "target": "y", "multiclass": True, "positive_class": "a"},
     "datasets.demo.multiclass: true keeps every class"),
    ({"path": "a.csv", "target": "y", "delimiter": ";;"},
     "datasets.demo.delimiter: expected one character"),
    ({"path": "a.csv", "target": "y", "encoding": "klingon"},
     "datasets.demo.encoding: unknown encoding 'klingon'"),
    ({"path": "a.csv", "target": "y", "decimal": ";"}, "datasets.demo.decimal: expected"),
    ({"path": "a.csv", "target": "y", "datetimes": "keep"},
     "datasets.demo.datetimes: expected one of convert, reject"),
    ({"path": "a.csv", "target": "y", "missing_values": [[1]]},
     "datasets.demo.missing_values: marker [1] is not a text or a number"),
    ({"path": "a.csv", "target": "y", "rename": {"a": "b", "c": "b"}},
     "datasets.demo.rename: two columns get the same new name"),
    ({"url": "https://example.org/", "sha256": SHA, "target": "y"},
     "datasets.demo.url: 'https://example.org/' ends without a file name; set "
     "datasets.demo.filename"),
    ({"path": "a.csv", "target": "y", "filename": "sub/a.csv"},
     "datasets.demo.filename: expected a bare file name"),
    (["not", "a", "mapping"], "datasets.demo: expected a mapping of settings"),
]


@pytest.mark.parametrize(("entry", "message"), BAD_ENTRIES)
def test_bad_entries_name_the_key(entry, message):
    with pytest.raises(DatasetError, match=re.escape(message)):
        normalize_entry("demo", entry)


def test_raw_filename():
    assert raw_filename("t", {"url": "https://h.org/a/b%20c.csv?x=1"}) == "b c.csv"
    assert raw_filename("t", {"path": "data/own.parquet"}) == "own.parquet"
    assert raw_filename("t", {"path": "data/own.csv", "filename": "t.csv"}) == "t.csv"


# -- mirror ----------------------------------------------------------------------------------
def test_resolve_mirror(tmp_path, monkeypatch):
    assert resolve_mirror(None) is None
    assert resolve_mirror(str(tmp_path)) == tmp_path
    other = tmp_path / "other"
    other.mkdir()
    monkeypatch.setenv(datasets.MIRROR_VARIABLE, str(other))
    assert resolve_mirror(str(tmp_path)) == other
    assert resolve_mirror(None) == other


def test_resolve_mirror_missing_folder(tmp_path, monkeypatch):
    with pytest.raises(DatasetError, match="from data_mirror in config.yaml"):
        resolve_mirror(str(tmp_path / "nowhere"))
    monkeypatch.setenv(datasets.MIRROR_VARIABLE, str(tmp_path / "gone"))
    with pytest.raises(DatasetError, match="from GANBOOST_DATA_MIRROR"):
        resolve_mirror(None)


# -- fetch -----------------------------------------------------------------------------------
def test_fetch_from_mirror_into_folder(mirror, tmp_path, closed_url):
    entry = {"url": closed_url, "sha256": TITANIC_SHA, "target": "survived"}
    path = fetch("titanic", entry, tmp_path, mirror=mirror, timeout=5)
    assert path == tmp_path / "titanic.csv"
    assert datasets.sha256_of(path) == TITANIC_SHA
    assert leftovers(tmp_path) == []


def test_fetch_keeps_a_verified_file(tmp_path, closed_url):
    target, digest = write(tmp_path / "titanic.csv", b"a,b\n1,2\n")
    entry = {"url": closed_url, "sha256": digest, "target": "b"}
    assert fetch("titanic", entry, target, timeout=5) == target


def test_fetch_mirror_missing_and_no_network(tmp_path, closed_url):
    empty_mirror = tmp_path / "mirror"
    empty_mirror.mkdir()
    entry = {"url": closed_url, "sha256": TITANIC_SHA, "target": "survived"}
    with pytest.raises(DatasetError) as caught:
        fetch("titanic", entry, tmp_path / "out.csv", mirror=empty_mirror, timeout=5)
    message = str(caught.value)
    assert f"the mirror folder {empty_mirror} holds no titanic.csv" in message
    assert f"the download from {closed_url} failed" in message
    assert "Check datasets.titanic.url and the network connection" in message
    assert not (tmp_path / "out.csv").exists() and leftovers(tmp_path) == []


def test_fetch_url_that_fails_without_mirror(tmp_path, closed_url):
    entry = {"url": closed_url, "sha256": TITANIC_SHA, "target": "survived"}
    with pytest.raises(DatasetError, match="GANBOOST_DATA_MIRROR"):
        fetch("titanic", entry, tmp_path, timeout=5)


def test_fetch_downloads_and_verifies(served, tmp_path):
    root, base = served
    _, digest = write(root / "demo.csv", b"x,y\n1,0\n2,1\n")
    out = tmp_path / "out"
    out.mkdir()
    path = fetch("demo", {"url": f"{base}/demo.csv", "sha256": digest, "target": "y"}, out)
    assert path.read_bytes() == b"x,y\n1,0\n2,1\n"


def test_fetch_checksum_mismatch(served, tmp_path):
    root, base = served
    _, digest = write(root / "demo.csv", b"x,y\n1,0\n")
    entry = {"url": f"{base}/demo.csv", "sha256": "0" * 64, "target": "y"}
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ChecksumError) as caught:
        fetch("demo", entry, out)
    message = str(caught.value)
    assert f"checksum mismatch for demo.csv (download from {base}/demo.csv)" in message
    assert f"expected sha256 {'0' * 64}, got {digest}" in message
    assert "set datasets.demo.sha256 to" in message
    assert list(out.iterdir()) == []


def test_fetch_bad_mirror_copy_falls_back_to_url(served, tmp_path):
    root, base = served
    _, digest = write(root / "demo.csv", b"x,y\n1,0\n")
    write(tmp_path / "mirror" / "demo.csv", b"damaged")
    entry = {"url": f"{base}/demo.csv", "sha256": digest, "target": "y"}
    path = fetch("demo", entry, tmp_path / "demo.csv", mirror=tmp_path / "mirror")
    assert datasets.sha256_of(path) == digest


def test_fetch_bad_mirror_copy_and_no_network(tmp_path, closed_url):
    write(tmp_path / "mirror" / "titanic.csv", b"damaged")
    entry = {"url": closed_url, "sha256": TITANIC_SHA, "target": "survived"}
    with pytest.raises(DatasetError) as caught:
        fetch("titanic", entry, tmp_path / "t.csv", mirror=tmp_path / "mirror", timeout=5)
    message = str(caught.value)
    assert message.startswith("datasets.titanic: cannot fetch titanic.csv: the mirror file ")
    assert f"titanic.csv has sha256 {hashlib.sha256(b'damaged').hexdigest()}, not" in message
    assert f"the download from {closed_url} failed" in message


def test_fetch_http_error(served, tmp_path):
    _, base = served
    entry = {"url": f"{base}/absent.csv", "sha256": SHA, "target": "y"}
    with pytest.raises(DatasetError, match="HTTP Error 404"):
        fetch("demo", entry, tmp_path / "absent.csv")


def test_fetch_file_url(tmp_path):
    source, digest = write(tmp_path / "src" / "demo.csv", b"x,y\n1,0\n")
    entry = {"url": source.as_uri(), "sha256": digest, "target": "y"}
    assert fetch("demo", entry, tmp_path / "demo.csv").read_bytes() == b"x,y\n1,0\n"


def test_fetch_local_path(tmp_path):
    source, digest = write(tmp_path / "own.csv", b"x,y\n1,0\n")
    out = tmp_path / "resources"
    out.mkdir()
    assert fetch("own", {"path": str(source), "target": "y"}, out) == out / "own.csv"
    with pytest.raises(ChecksumError, match=f"got {digest}"):
        fetch("own", {"path": str(source), "sha256": SHA, "target": "y"}, out / "x.csv")


def test_fetch_path_that_does_not_exist(tmp_path):
    entry = {"path": str(tmp_path / "missing.csv"), "target": "y"}
    with pytest.raises(DatasetError, match=r"datasets.own.path: file .*missing.csv' does not"):
        fetch("own", entry, tmp_path)


# -- reading ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "shape"), [
    ("titanic", (1309, 14)), ("wine", (6497, 13)), ("pima", (768, 9)), ("debrecen", (1151, 20)),
])
def test_read_the_mirror_files(mirror, name, shape):
    entry = normalize_entry(name, CONFIG_DATASETS[name])
    table = read_raw(mirror / raw_filename(name, entry), entry, name)
    assert table.shape == shape
    assert not table.isna().all(axis=1).any()


def read_bytes(tmp_path, data: bytes, filename: str = "t.csv", **entry) -> pd.DataFrame:
    path, _ = write(tmp_path / filename, data)
    return read_raw(path, entry, "demo")


def test_csv_semicolon_bom_crlf_and_trailing_rows(tmp_path):
    data = '\ufeff"a";"b c";y\r\n1,5;x;0\r\n2,5;z;1\r\n;;\r\n\r\n'.encode()
    table = read_bytes(tmp_path, data, decimal=",")
    assert list(table.columns) == ["a", "b c", "y"]
    assert table["a"].tolist() == [1.5, 2.5] and table["y"].dtype == "int64"


def test_csv_quoted_commas_and_latin1(tmp_path):
    data = 'name,city,y\n"Smith, Jo","Zürich, CH",1\n"Doe, Al",Köln,0\n'.encode("latin-1")
    table = read_bytes(tmp_path, data, encoding="latin-1")
    assert table["name"].tolist() == ["Smith, Jo", "Doe, Al"]
    assert table["city"].tolist() == ["Zürich, CH", "Köln"]


def test_csv_wrong_encoding(tmp_path):
    with pytest.raises(DatasetError, match="datasets.demo.encoding: t.csv is not valid utf-8"):
        read_bytes(tmp_path, "a,y\nKöln,1\n".encode("latin-1"))


def test_csv_keeps_markers_as_text(tmp_path):
    table = read_bytes(tmp_path, b"a,y\n1,0\n?,1\nNA,0\n,1\n")
    assert table["a"].tolist()[:3] == ["1", "?", "NA"] and pd.isna(table["a"].iloc[3])


def test_csv_duplicate_header(tmp_path):
    with pytest.raises(DatasetError, match=r"t.csv has duplicate column names \['a'\]"):
        read_bytes(tmp_path, b"a,b,a ,y\n1,2,3,0\n")


def test_csv_ragged_rows(tmp_path):
    data = b"a,b,y\n" + b"1,2,0\n" * 20 + b"1,2,3,4\n"
    with pytest.raises(DatasetError, match="cannot parse t.csv with delimiter ','"):
        read_bytes(tmp_path, data)


def test_csv_empty_file(tmp_path):
    with pytest.raises(DatasetError, match="is empty"):
        read_bytes(tmp_path, b"")


def test_read_missing_file(tmp_path):
    with pytest.raises(DatasetError, match="does not exist; fetch it first"):
        read_raw(tmp_path / "none.csv", {}, "demo")


def test_parquet(tmp_path):
    frame = pd.DataFrame({"a": [1.0, 2.0], "flag": [True, False], "y": ["p", "q"]})
    frame.to_parquet(tmp_path / "t.parquet")
    pd.testing.assert_frame_equal(read_raw(tmp_path / "t.parquet", {}), frame)


def test_arff_nominal_and_missing(tmp_path):
    data = (b"@relation demo\n@attribute 0 numeric\n@attribute colour {red,blue}\n"
            b"@attribute Class {0,1}\n@data\n1.5,red,0\n?,?,1\n2,blue,1\n")
    table = read_bytes(tmp_path, data, "t.arff")
    assert list(table.columns) == ["0", "colour", "Class"]
    assert table["Class"].tolist() == ["0", "1", "1"]
    assert pd.isna(table.loc[1, "0"]) and pd.isna(table.loc[1, "colour"])


def test_broken_arff(tmp_path):
    with pytest.raises(DatasetError, match="cannot read t.arff as ARFF"):
        read_bytes(tmp_path, b"@relation x\n@attribute a string\n@data\nhello\n", "t.arff")


# -- the export script -----------------------------------------------------------------------
def load_export_script():
    spec = importlib.util.spec_from_file_location(
        "export_sklearn_dataset", ROOT / "scripts" / "export_sklearn_dataset.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("name", "extra", "classes"), [
    ("breast_cancer", {"positive_class": "malignant"}, ["benign", "malignant"]),
    ("wine", {"multiclass": True}, ["class_0", "class_1", "class_2"]),
])
def test_export_sklearn_dataset(tmp_path, name, extra, classes):
    script = load_export_script()
    output = tmp_path / "data" / f"{name}.csv"
    assert script.main([name, str(output)]) == 0
    _, target, _ = script.DATASETS[name]
    entry = {"path": str(output), "sha256": datasets.sha256_of(output), "target": target,
             **extra}
    fetched = fetch(name, entry, tmp_path / "resources" / f"{name}.csv")
    table, schema = preprocess(read_raw(fetched, entry, name), entry, name)
    assert schema.classes == classes and schema.notes == [schema.notes[0]]
    assert all(spec.is_numeric for spec in schema.columns)
