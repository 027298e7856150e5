"""Functions of the language: encoding (Base64, text encodings, URL, CSV, JSON, YAML).

Results match Terraform's byte for byte; the Go-library details that matter for that live in
``_encoding_text`` (Base64, CSV, Go's number parsing), ``_encoding_json`` and ``_encoding_yaml``.
The character sets of ``textencodebase64``/``textdecodebase64`` are the IANA names that Go's
``golang.org/x/text/encoding/ianaindex`` supports, implemented with Python's codecs.
Functions whose error message quotes the argument (``base64decode``) take it marked, so that a
sensitive argument is shown as ``(sensitive value)`` instead of leaking into the message.
"""

from __future__ import annotations

import base64
import codecs
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass

from gitterra.lang import _types as t
from gitterra.lang import _values as v
from gitterra.lang._context import FunctionContext
from gitterra.lang._format import go_quote
from gitterra.lang._function import ArgumentError, Function, FunctionError, Param, simple
from gitterra.lang._values import Value
from gitterra.lang.functions import _encoding_json as json_codec
from gitterra.lang.functions import _encoding_text as text
from gitterra.lang.functions import _encoding_yaml as yaml_codec

# ---- IANA character sets (golang.org/x/text/encoding/ianaindex) ----------------------------


@dataclass(frozen=True, slots=True)
class Charset:
    """A character encoding by its IANA name, with Python codecs doing the work."""

    name: str
    encode: Callable[[str], bytes]
    decode: Callable[[bytes], str]


def _codec(name: str, codec: str) -> Charset:
    info = codecs.lookup(codec)
    return Charset(name, lambda s: info.encode(s)[0], lambda b: info.decode(b)[0])


def _utf16_encode(s: str) -> bytes:
    # Go's IANA "UTF-16" writes a byte order mark and then big-endian code units.
    return b"\xfe\xff" + s.encode("utf-16-be")


def _utf16_decode(b: bytes) -> str:
    if b[:2] == b"\xff\xfe":
        return b[2:].decode("utf-16-le")
    if b[:2] == b"\xfe\xff":
        b = b[2:]
    return b.decode("utf-16-be")


_CHARSETS: dict[str, Charset] = {}


def _register(charset: Charset, *aliases: str) -> None:
    for alias in (charset.name, *aliases):
        _CHARSETS[alias.lower()] = charset


#: (IANA name, Python codec, IANA aliases) of the character sets Go's ianaindex supports.
_IANA_TABLE: list[tuple[str, str, str]] = [
    ("UTF-8", "utf-8", "csUTF8"),
    ("UTF-16BE", "utf-16-be", "csUTF16BE"),
    ("UTF-16LE", "utf-16-le", "csUTF16LE"),
    (
        "US-ASCII",
        "ascii",
        "iso-ir-6 ANSI_X3.4-1968 ANSI_X3.4-1986 ISO_646.irv:1991 ISO646-US us IBM367 cp367 csASCII",
    ),
    (
        "ISO-8859-1",
        "latin-1",
        "iso-ir-100 ISO_8859-1 ISO_8859-1:1987 latin1 l1 IBM819 CP819 csISOLatin1",
    ),
    ("ISO-8859-2", "iso8859_2", "iso-ir-101 ISO_8859-2 latin2 l2 csISOLatin2"),
    ("ISO-8859-3", "iso8859_3", "iso-ir-109 ISO_8859-3 latin3 l3 csISOLatin3"),
    ("ISO-8859-4", "iso8859_4", "iso-ir-110 ISO_8859-4 latin4 l4 csISOLatin4"),
    ("ISO-8859-5", "iso8859_5", "iso-ir-144 ISO_8859-5 cyrillic csISOLatinCyrillic"),
    ("ISO-8859-6", "iso8859_6", "iso-ir-127 ISO_8859-6 ECMA-114 ASMO-708 arabic"),
    ("ISO-8859-7", "iso8859_7", "iso-ir-126 ISO_8859-7 ELOT_928 ECMA-118 greek greek8"),
    ("ISO-8859-8", "iso8859_8", "iso-ir-138 ISO_8859-8 hebrew csISOLatinHebrew"),
    ("ISO-8859-9", "iso8859_9", "iso-ir-148 ISO_8859-9 latin5 l5 csISOLatin5"),
    ("ISO-8859-10", "iso8859_10", "iso-ir-157 l6 latin6 csISOLatin6"),
    ("ISO-8859-13", "iso8859_13", "csISO885913"),
    ("ISO-8859-14", "iso8859_14", "iso-ir-199 ISO_8859-14 latin8 l8 iso-celtic csISO885914"),
    ("ISO-8859-15", "iso8859_15", "ISO_8859-15 Latin-9 csISO885915"),
    ("ISO-8859-16", "iso8859_16", "iso-ir-226 ISO_8859-16 latin10 l10 csISO885916"),
    ("KOI8-R", "koi8_r", "csKOI8R"),
    ("KOI8-U", "koi8_u", "csKOI8U"),
    ("macintosh", "mac_roman", "mac csMacintosh"),
    ("IBM037", "cp037", "cp037 ebcdic-cp-us ebcdic-cp-ca ebcdic-cp-wt ebcdic-cp-nl csIBM037"),
    ("IBM437", "cp437", "cp437 437 csPC8CodePage437"),
    ("IBM850", "cp850", "cp850 850 csPC850Multilingual"),
    ("IBM852", "cp852", "cp852 852 csPCp852"),
    ("IBM855", "cp855", "cp855 855 csIBM855"),
    ("IBM00858", "cp858", "CCSID00858 CP00858 PC-Multilingual-850+euro csIBM00858"),
    ("IBM860", "cp860", "cp860 860 csIBM860"),
    ("IBM862", "cp862", "cp862 862 csPC862LatinHebrew"),
    ("IBM863", "cp863", "cp863 863 csIBM863"),
    ("IBM865", "cp865", "cp865 865 csIBM865"),
    ("IBM866", "cp866", "cp866 866 csIBM866"),
    ("IBM01140", "cp1140", "CCSID01140 CP01140 ebcdic-us-37+euro csIBM01140"),
    ("windows-874", "cp874", "cswindows874"),
    ("Shift_JIS", "shift_jis", "MS_Kanji csShiftJIS"),
    ("EUC-JP", "euc_jp", "Extended_UNIX_Code_Packed_Format_for_Japanese csEUCPkdFmtJapanese"),
    ("ISO-2022-JP", "iso2022_jp", "csISO2022JP"),
    ("EUC-KR", "euc_kr", "csEUCKR"),
    ("GBK", "gbk", "CP936 MS936 windows-936 csGBK"),
    ("GB18030", "gb18030", "csGB18030"),
    ("HZ-GB-2312", "hz", ""),
    ("Big5", "big5", "csBig5"),
    *((f"windows-{cp}", f"cp{cp}", f"cswindows{cp}") for cp in range(1250, 1259)),
]
for _name, _codec_name, _aliases in _IANA_TABLE:
    _register(_codec(_name, _codec_name), *_aliases.split())
_register(Charset("UTF-16", _utf16_encode, _utf16_decode), "csUTF16")


def charset(name: str) -> Charset | None:
    """The character set an IANA name or alias (any letter case) stands for, if supported."""
    return _CHARSETS.get(name.lower())


# ---- Base64 and character encodings ----------------------------------------------------------


def _base64decode(ctx: FunctionContext, args: list[Value]) -> Value:
    arg = args[0]
    if not arg.is_known:
        return v.unknown_val(t.STRING).mark_sensitive(arg.sensitive)
    s = arg.as_str()
    try:
        decoded = text.go_base64_decode(s)
    except text.Base64Error:
        shown = "(sensitive value)" if arg.sensitive else go_quote(s)
        raise FunctionError(f"failed to decode base64 data {shown}") from None
    try:
        result = decoded.decode("utf-8")
    except UnicodeDecodeError:
        raise FunctionError(
            "the result of decoding the provided string is not valid UTF-8"
        ) from None
    return v.string_val(result).mark_sensitive(arg.sensitive)


def _base64encode(ctx: FunctionContext, args: list[Value]) -> Value:
    return v.string_val(base64.b64encode(text.utf8(args[0].as_str())).decode("ascii"))


def _charset(arg: Value) -> Charset:
    found = charset(arg.as_str())
    if found is None:
        raise ArgumentError(
            f"{go_quote(arg.as_str())} is not a supported IANA encoding name or alias", 1
        )
    return found


def _textencodebase64(ctx: FunctionContext, args: list[Value]) -> Value:
    charset = _charset(args[1])
    try:
        encoded = charset.encode(text.repair_surrogates(args[0].as_str()))
    except UnicodeError:
        raise ArgumentError(
            f"the given string contains characters that cannot be represented in {charset.name}",
            0,
        ) from None
    return v.string_val(base64.b64encode(encoded).decode("ascii"))


def _textdecodebase64(ctx: FunctionContext, args: list[Value]) -> Value:
    charset = _charset(args[1])
    try:
        raw = text.go_base64_decode(args[0].as_str())
    except text.Base64Error as exc:
        raise ArgumentError(
            f"the given value is has an invalid base64 symbol at offset {exc.offset}", 0
        ) from None
    try:
        decoded = charset.decode(raw)
    except UnicodeError:
        decoded = "\ufffd"
    if "\ufffd" in decoded:  # Go's decoders substitute U+FFFD; Terraform refuses the result
        raise ArgumentError(
            f"the given string contains symbols that are not defined for {charset.name}", 0
        )
    return v.string_val(decoded)


def _urlencode(ctx: FunctionContext, args: list[Value]) -> Value:
    # quote_plus with nothing "safe" escapes exactly what Go's url.QueryEscape does.
    s = text.repair_surrogates(args[0].as_str())
    return v.string_val(urllib.parse.quote_plus(s, safe=""))


# ---- CSV -----------------------------------------------------------------------------------


def _csvdecode(ctx: FunctionContext, args: list[Value]) -> Value:
    reader = text.GoCsvReader(args[0].as_str())
    try:
        header = reader.read()
        if header is None:
            raise FunctionError("missing header line")
        names = header[1]
        if len(set(names)) != len(names):
            dup = next(n for i, n in enumerate(names) if n in names[:i])
            raise FunctionError(f"duplicate column name {go_quote(dup)}")
        row_type = t.ObjectType(dict.fromkeys(names, t.STRING))
        rows: list[Value] = []
        while (record := reader.read()) is not None:
            line, fields = record
            if len(fields) != len(names):
                raise text.CsvError(line, "wrong number of fields")
            cells = zip(names, fields, strict=True)
            rows.append(v.object_val({name: v.string_val(cell) for name, cell in cells}))
    except text.CsvError as exc:
        raise FunctionError(f"CSV parse error on line {exc.line}: {exc.reason}") from None
    return v.list_val(rows, row_type)


# ---- JSON and YAML -------------------------------------------------------------------------


def _jsonencode(ctx: FunctionContext, args: list[Value]) -> Value:
    return v.string_val(json_codec.encode(args[0]))


def _jsondecode(ctx: FunctionContext, args: list[Value]) -> Value:
    return json_codec.decode(args[0].as_str())


def _yamlencode(ctx: FunctionContext, args: list[Value]) -> Value:
    return v.string_val(yaml_codec.encode(args[0]))


def _yamldecode(ctx: FunctionContext, args: list[Value]) -> Value:
    return yaml_codec.decode(args[0].as_str())


_ANY_VALUE = Param("value", t.DYNAMIC, allow_null=True)

FUNCTIONS: tuple[Function, ...] = (
    simple(
        "base64decode",
        [Param("str", t.STRING, allow_unknown=True, allow_marked=True)],
        t.STRING,
        _base64decode,
        description="Decodes a Base64 string and interprets the bytes as UTF-8 text.",
    ),
    simple(
        "base64encode",
        [("str", t.STRING)],
        t.STRING,
        _base64encode,
        description="Encodes the UTF-8 bytes of a string with standard Base64.",
    ),
    simple(
        "textencodebase64",
        [("string", t.STRING), ("encoding_name", t.STRING)],
        t.STRING,
        _textencodebase64,
        description="Encodes a string in a named character encoding, then with Base64.",
    ),
    simple(
        "textdecodebase64",
        [("source", t.STRING), ("encoding_name", t.STRING)],
        t.STRING,
        _textdecodebase64,
        description="Decodes Base64 and interprets the bytes in a named character encoding.",
    ),
    simple(
        "urlencode",
        [("str", t.STRING)],
        t.STRING,
        _urlencode,
        description="Percent-encodes a string for use in a URL query.",
    ),
    simple(
        "csvdecode",
        [("str", t.STRING)],
        t.DYNAMIC,
        _csvdecode,
        description="Decodes CSV with a header line into a list of objects of strings.",
    ),
    simple(
        "jsonencode",
        [_ANY_VALUE],
        t.STRING,
        _jsonencode,
        description="Encodes a value as minified JSON.",
    ),
    simple(
        "jsondecode",
        [("str", t.STRING)],
        t.DYNAMIC,
        _jsondecode,
        description="Decodes a JSON document into the value it represents.",
    ),
    simple(
        "yamlencode",
        [_ANY_VALUE],
        t.STRING,
        _yamlencode,
        description="Encodes a value as block-style YAML.",
    ),
    simple(
        "yamldecode",
        [("src", t.STRING)],
        t.DYNAMIC,
        _yamldecode,
        description="Decodes a single YAML document into the value it represents.",
    ),
)
