"""Hash and UUID functions: md5, sha*, base64sha*, file* variants, uuid, uuidv5."""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gitterra import lang
from gitterra.lang import functions
from tests.lang.functions.conftest import Call, call_function


class FakeFileSystem:
    """Files held in memory; directories are the names listed in ``dirs``."""

    def __init__(self, files: dict[str, bytes], dirs: tuple[str, ...] = ()) -> None:
        self.files = files
        self.dirs = dirs

    def read_bytes(self, path: str) -> bytes:
        if path in self.dirs:
            raise IsADirectoryError(21, "Is a directory", path)
        if path == "locked.txt":
            raise PermissionError(13, "Permission denied", path)
        try:
            return self.files[path]
        except KeyError:
            raise FileNotFoundError(2, "No such file or directory", path) from None

    def kind(self, path: str) -> str | None:
        return "file" if path in self.files else "dir" if path in self.dirs else None

    def glob(self, base: str, pattern: str) -> list[str]:
        return []

    def abspath(self, path: str) -> str:
        return "/work/" + path

    def home(self) -> str:
        return "/home/user"


FS = FakeFileSystem(
    {
        "hello.txt": b"hello world",
        "example.txt": b"Hello World",
        "binary.bin": bytes(range(256)),
        "empty.txt": b"",
    },
    dirs=("modules",),
)
CTX = lang.FunctionContext(fs=FS)


def call_fs(name: str, *args: object) -> lang.Value:
    return call_function(name, *args, ctx=CTX)


HELLO_WORLD = {
    "md5": "5eb63bbbe01eeed093cb22bb8f5acdc3",
    "sha1": "2aae6c35c94fcfb415dbe95f408b9ce91ee846ed",
    "sha256": "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9",
    "sha512": (
        "309ecc489c12d6eb4cc40f50c902f2b4d0ed77ee511a7c7a9bcd3ca86d4cd86f"
        "989dd35bc5ff499670da34255b45b0cfd830e81f605dcf7dc5542e93ae9cd76f"
    ),
    "base64sha256": "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=",
    "base64sha512": (
        "MJ7MSJwS1utMxA9QyQLytNDtd+5RGnx6m808qG1M2G+YndNbxf9JlnDaNCVbRbDP2DDoH2Bdz33FVC6TrpzXbw=="
    ),
}
STRING_HASHES = sorted(HELLO_WORLD)
FILE_HASHES = ["file" + name for name in STRING_HASHES]


# ---- string hashes ---------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "want"), sorted(HELLO_WORLD.items()))
def test_documented_examples(call: Call, name: str, want: str) -> None:
    assert call(name, "hello world") == lang.string_val(want)


@pytest.mark.parametrize(
    ("name", "text", "want"),
    [
        ("md5", "", "d41d8cd98f00b204e9800998ecf8427e"),
        ("sha1", "", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        ("sha256", "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("base64sha256", "", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="),
        # UTF-8 bytes of the (NFC) text: "é" is two bytes.
        ("md5", "é", hashlib.md5("é".encode()).hexdigest()),
        ("sha256", "e\u0301", hashlib.sha256("é".encode()).hexdigest()),
    ],
)
def test_string_hash_edges(call: Call, name: str, text: str, want: str) -> None:
    assert call(name, text) == lang.string_val(want)


def test_numbers_and_bools_convert_to_strings(call: Call) -> None:
    assert call("md5", 1) == call("md5", "1")
    assert call("sha1", True) == call("sha1", "true")


def test_lone_surrogate_is_hashed_as_replacement_character(call: Call) -> None:
    assert call("sha256", "a\ud800") == call("sha256", "a\ufffd")


@given(st.text())
def test_hashes_match_hashlib_over_nfc_utf8(text: str) -> None:
    data = unicodedata.normalize("NFC", text).encode("utf-8")
    assert call_function("sha256", text).as_str() == hashlib.sha256(data).hexdigest()
    assert call_function("md5", text).as_str() == hashlib.md5(data).hexdigest()


@pytest.mark.parametrize("name", STRING_HASHES)
def test_null_is_refused(call: Call, name: str) -> None:
    with pytest.raises(lang.FunctionError, match="must not be null"):
        call(name, None)


# ---- file hashes -----------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "want"), sorted(HELLO_WORLD.items()))
def test_file_hash_equals_string_hash_of_content(name: str, want: str) -> None:
    assert call_fs("file" + name, "hello.txt") == lang.string_val(want)


def test_filesha256_documented_example() -> None:
    # The documentation's example file holds "Hello World"; the digest it prints is garbled in
    # its second half (and the example calls filesha512), so this is the true SHA-256.
    want = "a591a6d40bf420404a011733cfb7b190d62c65bf0bcda32b57b277d9ad9f146e"
    assert call_fs("filesha256", "example.txt") == lang.string_val(want)


@pytest.mark.parametrize(
    ("name", "algorithm"),
    [("filemd5", "md5"), ("filesha1", "sha1"), ("filesha256", "sha256"), ("filesha512", "sha512")],
)
def test_file_hash_of_binary_content(name: str, algorithm: str) -> None:
    want = hashlib.new(algorithm, bytes(range(256))).hexdigest()
    assert call_fs(name, "binary.bin") == lang.string_val(want)


def test_file_hash_of_empty_file() -> None:
    assert call_fs("filemd5", "empty.txt") == lang.string_val("d41d8cd98f00b204e9800998ecf8427e")


@pytest.mark.parametrize("name", FILE_HASHES)
def test_missing_file(name: str) -> None:
    with pytest.raises(lang.FunctionError, match=r"^no file exists at nope\.txt; this function"):
        call_fs(name, "nope.txt")


def test_directory_and_unreadable_file() -> None:
    with pytest.raises(lang.FunctionError, match="failed to read file: modules is a directory"):
        call_fs("filesha1", "modules")
    with pytest.raises(lang.FunctionError, match=r"locked\.txt: Permission denied"):
        call_fs("filesha1", "locked.txt")


@pytest.mark.parametrize("name", FILE_HASHES)
def test_no_file_system(call: Call, name: str) -> None:
    with pytest.raises(
        lang.FunctionError, match=r"cannot read hello\.txt: files are not available"
    ):
        call(name, "hello.txt")


def test_sensitive_path_is_redacted_and_marks_result() -> None:
    secret = lang.string_val("hello.txt").mark_sensitive()
    got = call_fs("filesha256", secret)
    assert got == lang.string_val(HELLO_WORLD["sha256"]).mark_sensitive()
    with pytest.raises(lang.FunctionError) as info:
        call_fs("filesha256", lang.string_val("secret-name.txt").mark_sensitive())
    assert "secret-name" not in info.value.message
    assert "(sensitive value)" in info.value.message
    unknown_secret = lang.unknown_val(lang.STRING).mark_sensitive()
    assert call_fs("filemd5", unknown_secret) == lang.unknown_val(lang.STRING).mark_sensitive()


# ---- uuidv5 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("namespace", "name", "want"),
    [
        ("dns", "www.terraform.io", "a5008fae-b28c-5ba5-96cd-82b4c53552d6"),
        ("url", "https://www.terraform.io/", "9db6f67c-dd95-5ea0-aa5b-e70e5c5f7cf5"),
        ("oid", "1.3.6.1.4", "af9d40a5-7a36-5c07-b23a-851cd99fbfa5"),
        ("x500", "CN=Example,C=GB", "84e09961-4aa4-57f8-95b7-03edb1073253"),
        (
            "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
            "www.terraform.io",
            "a5008fae-b28c-5ba5-96cd-82b4c53552d6",
        ),
        (
            "743ac3c0-3bf7-4a5b-9e6c-59360447c757",
            "LIBS:diskfont.library",
            "ede1a974-df7e-5f17-84b9-76208818b2c8",
        ),
        # Other spellings Go's uuid.Parse accepts for a namespace.
        (
            "{6BA7B810-9DAD-11D1-80B4-00C04FD430C8}",
            "www.terraform.io",
            "a5008fae-b28c-5ba5-96cd-82b4c53552d6",
        ),
        (
            "URN:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8",
            "www.terraform.io",
            "a5008fae-b28c-5ba5-96cd-82b4c53552d6",
        ),
        (
            "6ba7b8109dad11d180b400c04fd430c8",
            "www.terraform.io",
            "a5008fae-b28c-5ba5-96cd-82b4c53552d6",
        ),
    ],
)
def test_uuidv5_documented_examples(call: Call, namespace: str, name: str, want: str) -> None:
    assert call("uuidv5", namespace, name) == lang.string_val(want)


@given(st.text())
def test_uuidv5_matches_python_uuid5(name: str) -> None:
    nfc = unicodedata.normalize("NFC", name)
    want = str(uuid.uuid5(uuid.NAMESPACE_URL, nfc))
    assert call_function("uuidv5", "url", name).as_str() == want


@pytest.mark.parametrize(
    ("namespace", "detail"),
    [
        ("DNS", "invalid UUID length: 3"),
        ("", "invalid UUID length: 0"),
        ("6ba7b810-9dad-11d1-80b4-00c04fd430c", "invalid UUID length: 35"),
        ("6ba7b810x9dad-11d1-80b4-00c04fd430c8", "invalid UUID format"),
        ("6ba7b810-9dad-11d1-80b4-00c04fd430cg", "invalid UUID format"),
        ("6ba7b8109dad11d180b400c04fd430cz", "invalid UUID format"),
        ("urn:uuix:6ba7b810-9dad-11d1-80b4-00c04fd430c8", 'invalid urn prefix: "urn:uuix:"'),
    ],
)
def test_uuidv5_bad_namespace(call: Call, namespace: str, detail: str) -> None:
    with pytest.raises(lang.FunctionError) as info:
        call("uuidv5", namespace, "x")
    assert info.value.message == f"uuidv5() doesn't support namespace {namespace} ({detail})"


# ---- uuid ------------------------------------------------------------------------------------

UUID_V4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def test_uuid_is_random_v4_and_impure(call: Call) -> None:
    first, second = call("uuid"), call("uuid")
    assert first.type == lang.STRING
    assert UUID_V4.match(first.as_str())
    assert first != second
    assert functions.builtins()["uuid"].impure
    assert not functions.builtins()["uuidv5"].impure


def test_uuid_takes_no_arguments(call: Call) -> None:
    with pytest.raises(lang.FunctionError, match="expects only 0 argument"):
        call("uuid", "x")


# ---- unknown and sensitive arguments ---------------------------------------------------------

ONE_STRING = [*STRING_HASHES, *FILE_HASHES]


@pytest.mark.parametrize("name", ONE_STRING)
def test_unknown_argument_gives_unknown_string(name: str) -> None:
    assert call_fs(name, lang.unknown_val(lang.STRING)) == lang.unknown_val(lang.STRING)


@pytest.mark.parametrize("name", STRING_HASHES)
def test_sensitive_argument_gives_sensitive_result(call: Call, name: str) -> None:
    got = call(name, lang.string_val("hello world").mark_sensitive())
    assert got == lang.string_val(HELLO_WORLD[name]).mark_sensitive()


@pytest.mark.parametrize("which", [0, 1])
def test_uuidv5_unknown_and_sensitive(call: Call, which: int) -> None:
    args: list[object] = ["dns", "www.terraform.io"]
    args[which] = lang.unknown_val(lang.STRING)
    assert call("uuidv5", *args) == lang.unknown_val(lang.STRING)
    args[which] = lang.string_val(["dns", "www.terraform.io"][which]).mark_sensitive()
    want = lang.string_val("a5008fae-b28c-5ba5-96cd-82b4c53552d6").mark_sensitive()
    assert call("uuidv5", *args) == want
