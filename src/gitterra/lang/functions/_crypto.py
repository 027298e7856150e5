"""Hash and UUID functions: ``md5``, ``sha1``, ``sha256``, ``sha512``, ``base64sha256``,
``base64sha512``, their ``file*`` variants, ``uuid`` and ``uuidv5``.

String hashes are taken over the UTF-8 bytes of the string, as Terraform does; the ``file*``
variants hash a file's raw bytes, read through the context's :class:`~gitterra.lang.FileSystem`
(so binary files can be hashed, which ``sha256(file(...))`` cannot do). ``uuid`` is impure: it
gives a new random (version 4) UUID on every call.

``bcrypt`` is deliberately absent: the standard library has no bcrypt, and a pure-Python
Blowfish key schedule at Terraform's default cost (2^10 rounds) takes many seconds per call.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Callable
from typing import Protocol

from gitterra.lang import _format
from gitterra.lang import _types as t
from gitterra.lang import _values as v
from gitterra.lang._context import FunctionContext
from gitterra.lang._function import Function, FunctionError, Param, simple
from gitterra.lang._values import Value


class _Digest(Protocol):
    def digest(self) -> bytes: ...
    def hexdigest(self) -> str: ...


#: Turns a finished hash object into the function's text result.
_Encoder = Callable[[_Digest], str]


def _hex(h: _Digest) -> str:
    return h.hexdigest()


def _b64(h: _Digest) -> str:
    return base64.b64encode(h.digest()).decode("ascii")


def utf8(s: str) -> bytes:
    """The UTF-8 bytes of ``s``; a lone surrogate (which no UTF-8 text can hold) becomes U+FFFD,
    as Go does when it meets invalid text."""
    try:
        return s.encode("utf-8")
    except UnicodeEncodeError:
        return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in s).encode("utf-8")


def _string_hash(name: str, algorithm: str, encode: _Encoder, what: str) -> Function:
    """A function hashing its string argument's UTF-8 bytes."""

    def impl(ctx: FunctionContext, args: list[Value]) -> Value:
        return v.string_val(encode(hashlib.new(algorithm, utf8(args[0].as_str()))))

    return simple(name, [("str", t.STRING)], t.STRING, impl, description=what)


def _file_hash(name: str, algorithm: str, encode: _Encoder, what: str) -> Function:
    """A function hashing the bytes of the file at its path argument.

    The path may be sensitive: it is then kept out of error messages (as Terraform's
    ``redactIfSensitive`` does for ``file``) and the result, known or not, is sensitive too.
    """

    def impl(ctx: FunctionContext, args: list[Value]) -> Value:
        path = args[0]
        if not path.is_known:
            return v.unknown_val(t.STRING).mark_sensitive(path.sensitive)
        data = read_file_bytes(ctx, path.as_str(), sensitive=path.sensitive)
        result = v.string_val(encode(hashlib.new(algorithm, data)))
        return result.mark_sensitive(path.sensitive)

    return Function(
        name=name,
        params=(Param("path", t.STRING, allow_unknown=True, allow_marked=True),),
        impl=impl,
        returns=t.STRING,
        description=what,
    )


def read_file_bytes(ctx: FunctionContext, path: str, *, sensitive: bool = False) -> bytes:
    """The content of the file at ``path``, or a :class:`FunctionError` phrased like
    Terraform's when there is no file system, no such file, or the file cannot be read."""
    shown = "(sensitive value)" if sensitive else path
    if ctx.fs is None:
        raise FunctionError(
            f"cannot read {shown}: files are not available where this expression is evaluated"
        )
    try:
        return ctx.fs.read_bytes(path)
    except FileNotFoundError:
        raise FunctionError(
            f"no file exists at {shown}; this function works only with files that are "
            "distributed as part of the configuration source code, so if this file will be "
            "created by a resource in this configuration you must instead obtain this result "
            "from an attribute of that resource"
        ) from None
    except IsADirectoryError:
        raise FunctionError(f"failed to read file: {shown} is a directory") from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise FunctionError(f"failed to read file: {shown}: {reason}") from None


# ---- UUIDs -----------------------------------------------------------------------------------

_NAMESPACES = {
    "dns": uuid.NAMESPACE_DNS,
    "url": uuid.NAMESPACE_URL,
    "oid": uuid.NAMESPACE_OID,
    "x500": uuid.NAMESPACE_X500,
}

_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


def parse_uuid(text: str) -> uuid.UUID:
    """Parse a UUID as Go's ``github.com/google/uuid.Parse`` does (Terraform's parser), raising
    ``ValueError`` with its message: the 36-character hyphenated form, that form in braces or
    after ``urn:uuid:``, or 32 bare hex digits."""
    raw = utf8(text)
    size = len(raw)
    if size == 36 + 9:
        if raw[:9].lower() != b"urn:uuid:":
            prefix = raw[:9].decode("utf-8", "replace")
            raise ValueError(f"invalid urn prefix: {_format.go_quote(prefix)}")
        raw = raw[9:]
    elif size == 36 + 2:
        raw = raw[1:37]  # Go checks neither brace
    elif size == 32:
        digits = raw.decode("ascii", "replace")
        if not set(digits) <= _HEX_DIGITS:
            raise ValueError("invalid UUID format")
        return uuid.UUID(hex=digits)
    elif size != 36:
        raise ValueError(f"invalid UUID length: {size}")
    hyphenated = raw.decode("ascii", "replace")
    if any(hyphenated[i] != "-" for i in (8, 13, 18, 23)):
        raise ValueError("invalid UUID format")
    digits = hyphenated.replace("-", "")
    if len(digits) != 32 or not set(digits) <= _HEX_DIGITS:
        raise ValueError("invalid UUID format")
    return uuid.UUID(hex=digits)


def _uuidv5(ctx: FunctionContext, args: list[Value]) -> Value:
    """A name-based (version 5) UUID: SHA-1 of the namespace UUID and the name's UTF-8 bytes."""
    ns_text, name = args[0].as_str(), args[1].as_str()
    namespace = _NAMESPACES.get(ns_text)
    if namespace is None:
        try:
            namespace = parse_uuid(ns_text)
        except ValueError as exc:
            raise FunctionError(f"uuidv5() doesn't support namespace {ns_text} ({exc})") from None
    digest = hashlib.sha1(namespace.bytes + utf8(name)).digest()
    return v.string_val(str(uuid.UUID(bytes=digest[:16], version=5)))


def _uuid(ctx: FunctionContext, args: list[Value]) -> Value:
    return v.string_val(str(uuid.uuid4()))


FUNCTIONS: tuple[Function, ...] = (
    _string_hash("md5", "md5", _hex, "The MD5 hash of a string, in hexadecimal."),
    _string_hash("sha1", "sha1", _hex, "The SHA-1 hash of a string, in hexadecimal."),
    _string_hash("sha256", "sha256", _hex, "The SHA-256 hash of a string, in hexadecimal."),
    _string_hash("sha512", "sha512", _hex, "The SHA-512 hash of a string, in hexadecimal."),
    _string_hash("base64sha256", "sha256", _b64, "The SHA-256 hash of a string, in Base64."),
    _string_hash("base64sha512", "sha512", _b64, "The SHA-512 hash of a string, in Base64."),
    _file_hash("filemd5", "md5", _hex, "The MD5 hash of a file's content, in hexadecimal."),
    _file_hash("filesha1", "sha1", _hex, "The SHA-1 hash of a file's content, in hexadecimal."),
    _file_hash("filesha256", "sha256", _hex, "The SHA-256 hash of a file, in hexadecimal."),
    _file_hash("filesha512", "sha512", _hex, "The SHA-512 hash of a file, in hexadecimal."),
    _file_hash("filebase64sha256", "sha256", _b64, "The SHA-256 hash of a file, in Base64."),
    _file_hash("filebase64sha512", "sha512", _b64, "The SHA-512 hash of a file, in Base64."),
    simple(
        "uuidv5",
        [("namespace", t.STRING), ("name", t.STRING)],
        t.STRING,
        _uuidv5,
        description="A name-based (version 5) UUID for a name in a namespace.",
    ),
    simple("uuid", [], t.STRING, _uuid, description="A new random UUID.", impure=True),
)
