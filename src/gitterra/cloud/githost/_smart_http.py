"""Git's smart HTTP protocol through ``git http-backend``, the CGI program git ships.

:func:`run_backend` starts ``git http-backend`` with an argument list and an explicit CGI
environment (``GIT_PROJECT_ROOT``, ``GIT_HTTP_EXPORT_ALL``, ``PATH_INFO``, ``REQUEST_METHOD``,
``QUERY_STRING``, ``CONTENT_TYPE``, ``CONTENT_LENGTH``, ``REMOTE_USER``, ``REMOTE_ADDR``,
``HTTP_GIT_PROTOCOL``), streams the request body into it while it reads the CGI response
headers, then streams the response body out. Git compresses large fetch requests
(``Content-Encoding: gzip``); they are inflated here, as they arrive, so the backend always reads
plain bytes (a body that is not valid gzip is a ``ValidationError`` naming the header).

Framework-free: the server hands a :class:`GitRequest`, the body as an async iterator and a
:class:`Responder`. Receive-pack runs only with ``REMOTE_USER`` set, i.e. for a caller the server
authenticated (:func:`needs_auth` says which requests those are).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import signal
import subprocess
import urllib.parse
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from gitterra.cloud import ValidationError
from gitterra.cloud.githost._errors import GitError
from gitterra.cloud.githost._git import Git

log = logging.getLogger("gitterra.cloud.githost")

#: The largest CGI header block the backend may write before its body.
MAX_HEADERS = 64 * 1024
CHUNK = 64 * 1024
#: A request body that sends nothing for this long is abandoned (a push holds its repository's
#: lock while its body arrives).
BODY_IDLE = 300.0

#: What http-backend serves: refs, loose objects and packs (dumb HTTP), the two services.
_PATHS = re.compile(
    r"/(HEAD|info/refs|objects/info/(alternates|http-alternates|packs)"
    r"|objects/[0-9a-f]{2}/[0-9a-f]{38,62}|objects/pack/pack-[0-9a-f]{40,64}\.(pack|idx)"
    r"|git-upload-pack|git-receive-pack)"
)
_PROTOCOL = re.compile(r"[A-Za-z0-9=:._ -]{1,256}")
_STATUS = re.compile(rb"(\d{3})")


@dataclass(frozen=True, slots=True)
class GitRequest:
    """One smart-HTTP request: ``path`` is what follows ``/git/<repository>.git``
    (``/info/refs``, ``/git-upload-pack`` ...); ``user`` is None for an anonymous caller."""

    repository: str
    path: str
    method: str
    query: str = ""
    content_type: str = ""
    content_encoding: str = ""
    content_length: int | None = None
    git_protocol: str = ""
    user: str | None = None
    remote_addr: str = ""


class Responder(Protocol):
    """Where the response goes: ``start`` once (status, headers), then ``body`` chunks. Side
    effects: writes to the client's connection only."""

    async def start(self, status: int, headers: list[tuple[str, str]]) -> None: ...

    async def body(self, chunk: bytes) -> None: ...


def served(path: str) -> bool:
    """Whether ``path`` (after ``<name>.git``) is something the backend serves."""
    return _PATHS.fullmatch(path) is not None


def needs_auth(path: str, query: str) -> bool:
    """Whether the request is part of a push (receive-pack), which needs the token."""
    if path == "/git-receive-pack":
        return True
    services = urllib.parse.parse_qs(query).get("service", [])
    return path == "/info/refs" and "git-receive-pack" in services


def backend_env(root: Path, request: GitRequest, repo_path: str) -> dict[str, str]:
    """The CGI variables of ``request`` (plus ``GIT_*``); the body is inflated before it
    reaches the backend, so a gzip request has no CONTENT_LENGTH (the backend reads to EOF)."""
    encoding = request.content_encoding.strip().lower()
    if encoding not in ("", "identity", "gzip", "x-gzip"):
        raise ValidationError(
            f"Content-Encoding {request.content_encoding!r} is not supported: use gzip or none",
            "Content-Encoding",
        )
    env = {
        "GIT_PROJECT_ROOT": str(root),
        "GIT_HTTP_EXPORT_ALL": "1",
        "GATEWAY_INTERFACE": "CGI/1.1",
        "PATH_INFO": repo_path,
        "REQUEST_METHOD": request.method,
        "QUERY_STRING": request.query,
        "CONTENT_TYPE": request.content_type,
        "REMOTE_ADDR": request.remote_addr,
    }
    if request.content_length is not None and encoding in ("", "identity"):
        env["CONTENT_LENGTH"] = str(request.content_length)
    if request.user is not None:
        env["REMOTE_USER"] = request.user
    if request.git_protocol:
        if not _PROTOCOL.fullmatch(request.git_protocol):
            raise ValidationError("Git-Protocol header is malformed", "Git-Protocol")
        env["HTTP_GIT_PROTOCOL"] = request.git_protocol
    return env


async def run_backend(
    git: Git,
    root: Path,
    request: GitRequest,
    body: AsyncIterator[bytes],
    out: Responder,
) -> None:
    """Serve ``request`` with ``git http-backend`` (see the module docstring). Errors before
    the response started are raised (``ValidationError`` for a bad body); afterwards the
    response simply ends. The backend process never outlives the call."""
    repo_path = f"/{request.repository}.git{request.path}"
    env = git.env(backend_env(root, request, repo_path))
    proc = await asyncio.create_subprocess_exec(
        *git.argv(None, ("http-backend",)),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=root,
        limit=MAX_HEADERS,
        start_new_session=True,
    )
    feed_error: list[BaseException] = []
    feeder = asyncio.create_task(_feed(proc, body, request, feed_error), name="git request body")
    errors = asyncio.create_task(_read_all(proc.stderr), name="git http-backend stderr")
    try:
        await _respond(proc, out, feeder, feed_error)
        await proc.wait()
    finally:
        if proc.returncode is None:
            kill(proc)
            await proc.wait()
        feeder.cancel()
        await asyncio.gather(feeder, errors, return_exceptions=True)
    if proc.returncode and not errors.cancelled() and errors.exception() is None:
        text = errors.result().decode("utf-8", "replace").strip()
        log.warning("git http-backend %s exited %s: %s", repo_path, proc.returncode, text)


async def _respond(
    proc: asyncio.subprocess.Process,
    out: Responder,
    feeder: asyncio.Task[None],
    feed_error: list[BaseException],
) -> None:
    """The backend's response, started once the whole request body went in (git's RPCs answer
    only after reading it all; the backend writes its headers first), so that a bad body is
    still answered with its own error."""
    assert proc.stdout is not None
    try:
        head = await proc.stdout.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        await proc.wait()
        if feed_error:
            raise feed_error[0] from None
        raise GitError("git http-backend ended without a response", exc.partial.decode()) from exc
    except asyncio.LimitOverrunError as exc:
        raise GitError("git http-backend wrote an oversized header block") from exc
    status, headers = parse_headers(head)
    await feeder
    if feed_error:
        raise feed_error[0]
    await out.start(status, headers)
    while chunk := await proc.stdout.read(CHUNK):
        await out.body(chunk)


def parse_headers(block: bytes) -> tuple[int, list[tuple[str, str]]]:
    """A CGI header block: ``Status: 404 Not Found`` gives the status (default 200); the other
    lines are response headers."""
    status = 200
    headers: list[tuple[str, str]] = []
    for line in block.split(b"\r\n"):
        if not line:
            continue
        name, sep, value = line.partition(b":")
        if not sep:
            raise GitError(f"git http-backend wrote a malformed header line {line[:80]!r}")
        key, text = name.decode("latin-1").strip(), value.decode("latin-1").strip()
        if key.lower() == "status":
            found = _STATUS.match(value.strip())
            status = int(found.group(1)) if found else 500
        else:
            headers.append((key, text))
    return status, headers


async def _feed(
    proc: asyncio.subprocess.Process,
    body: AsyncIterator[bytes],
    request: GitRequest,
    error: list[BaseException],
) -> None:
    """Copy the request body into the backend (inflating gzip). A bad, stalled or cut-short
    body kills the backend (which would wait for the rest) and is kept in ``error`` for the
    response side to raise."""
    stdin = proc.stdin
    assert stdin is not None
    gzip = request.content_encoding.strip().lower() in ("gzip", "x-gzip")
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS) if gzip else None
    try:
        received = await _copy(body, stdin, inflate)
        expected = request.content_length
        if expected is not None and received < expected:
            raise ValidationError(
                f"the request body ended after {received} of the {expected} bytes its "
                "Content-Length announced",
                "Content-Length",
            )
        if inflate is not None and not inflate.eof:
            raise ValidationError(
                "the request body ends inside its gzip stream (Content-Encoding: gzip)",
                "Content-Encoding",
            )
    except zlib.error as exc:
        error.append(
            ValidationError(
                f"the request body is not valid gzip (Content-Encoding: gzip): {exc}",
                "Content-Encoding",
            )
        )
        kill(proc)
    except ValidationError as exc:
        error.append(exc)
        kill(proc)
    except TimeoutError:
        error.append(
            ValidationError(f"the request body stalled for {BODY_IDLE:.0f} s", "Content-Length")
        )
        kill(proc)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the backend stopped reading (it answered already, or failed: it says so)
    except Exception:  # the body's source failed: the backend must not wait for more
        log.exception("reading the request body of a git request failed")
        kill(proc)
    finally:
        stdin.close()


async def _copy(
    body: AsyncIterator[bytes],
    stdin: asyncio.StreamWriter,
    inflate: zlib._Decompress | None,
) -> int:
    """Copy ``body`` to ``stdin`` (through ``inflate``); the number of bytes received."""
    received = 0
    chunks = aiter(body)
    while True:
        try:
            async with asyncio.timeout(BODY_IDLE):
                chunk = await anext(chunks)
        except StopAsyncIteration:
            break
        received += len(chunk)
        data = inflate.decompress(chunk) if inflate is not None else chunk
        if data:
            stdin.write(data)
            await stdin.drain()
    if inflate is not None:
        stdin.write(inflate.flush())
        await stdin.drain()
    return received


def kill(proc: asyncio.subprocess.Process) -> None:
    """SIGKILL the backend and what it started (its own process group)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


async def _read_all(stream: asyncio.StreamReader | None) -> bytes:
    assert stream is not None
    return await stream.read()
