"""The http backend against a real HTTP server on 127.0.0.1: the conformance suite, then the
protocol details (lock ids on writes, Content-MD5, auth, retries, unreachable servers)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from gitterra import backends, state
from tests.backends.conformance import BackendConformance
from tests.backends.state_server import Canned, StateServer
from tests.state.samples import sample_state

DEFAULT = state.DEFAULT_WORKSPACE


@pytest.fixture
def server() -> Iterator[StateServer]:
    with StateServer() as srv:
        yield srv


def http(
    server: StateServer, env: dict[str, str] | None = None, **settings: Any
) -> backends.HttpBackend:
    url = server.url()
    base: dict[str, Any] = {
        "address": url,
        "lock_address": url,
        "unlock_address": url,
        "retry_wait_min": 0,
        "retry_wait_max": 0,
    }
    backend = backends.configure("http", base | settings, env or {}, "/")
    assert isinstance(backend, backends.HttpBackend)
    return backend


class TestHttpConformance(BackendConformance):
    supports_workspaces = False

    @pytest.fixture(params=[423, 409], ids=["423-locked", "409-conflict"])
    def backend(self, request: pytest.FixtureRequest, server: StateServer) -> state.Backend:
        server.data.conflict_status = request.param
        return http(server)


def test_writes_while_locked_carry_the_lock_id(server: StateServer) -> None:
    manager = state.Manager(http(server).client(DEFAULT))
    lock_id = manager.lock("OperationTypeApply", 0)
    s = sample_state()
    manager.persist(s)
    manager.unlock(lock_id)
    s.outputs["after"] = state.OutputState("unlocked", "string", False)
    manager.persist(s)
    posts = [entry for entry in server.data.log if entry.method == "POST"]
    assert [post.query for post in posts] == [{"ID": [lock_id]}, {}]
    assert posts[0].headers["Content-Type"] == "application/json"
    assert "Content-MD5" in posts[0].headers


def test_a_write_without_the_lock_is_refused_with_the_holder(server: StateServer) -> None:
    backend = http(server)
    info = state.LockInfo.new("OperationTypeApply")
    backend.client(DEFAULT).lock(info)
    with pytest.raises(state.StateLockedError, match="the write was refused") as caught:
        state.Manager(backend.client(DEFAULT)).persist(sample_state())
    assert caught.value.holder is not None
    assert caught.value.holder.id == info.id


def test_update_method_and_missing_state_as_204(server: StateServer) -> None:
    server.data.missing_status = 204
    client = http(server, update_method="PUT").client(DEFAULT)
    assert client.get() is None
    client.put(b'{"version": 4}')
    assert server.methods() == ["GET", "PUT"]
    assert client.get() == b'{"version": 4}'


def test_without_lock_address_locking_is_off(server: StateServer) -> None:
    backend = backends.configure("http", {"address": server.url()}, {}, "/")
    client = backend.client(DEFAULT)
    assert client.lock(state.LockInfo.new("OperationTypeApply")) == ""
    client.unlock("")
    assert server.methods() == []


def test_settings_come_from_the_environment(server: StateServer) -> None:
    env = {"TF_HTTP_ADDRESS": server.url("/from-env"), "TF_HTTP_RETRY_MAX": "0"}
    backend = backends.configure("http", {}, env, "/")
    backend.client(DEFAULT).put(b"{}")
    assert server.data.states == {"/from-env": b"{}"}


def test_content_md5_of_answers_is_checked(server: StateServer) -> None:
    client = http(server).client(DEFAULT)
    md5_of_other_bytes = "XUFAKrxLKna5cZ2REBfFkg=="
    server.data.fail_next.append(Canned(200, b"{}", {"Content-MD5": md5_of_other_bytes}))
    with pytest.raises(state.BackendError, match="does not match the body: the state was"):
        client.get()
    server.data.fail_next.append(Canned(200, b"{}", {"Content-MD5": "not base64!"}))
    with pytest.raises(state.BackendError, match="is not base64"):
        client.get()
    server.data.fail_next.append(Canned(200, b"{}"))  # no Content-MD5: taken as it is
    assert client.get() == b"{}"


# -- authentication ---------------------------------------------------------------------------


def test_basic_auth(server: StateServer) -> None:
    server.data.username, server.data.password = "ci", "s3cret"
    with pytest.raises(state.BackendError, match="401 Unauthorized: the endpoint requires"):
        http(server).client(DEFAULT).get()
    with pytest.raises(state.BackendError, match="403 Forbidden: the credentials were refused"):
        http(server, username="ci", password="wrong").client(DEFAULT).get()
    assert http(server, username="ci", password="s3cret").client(DEFAULT).get() is None
    env = {"TF_HTTP_USERNAME": "ci", "TF_HTTP_PASSWORD": "s3cret"}
    assert http(server, env=env).client(DEFAULT).get() is None
    with pytest.raises(state.BackendError, match="403"):
        http(server, env=env, password="setting-wins").client(DEFAULT).get()


def test_a_refusal_says_why_when_the_server_does(server: StateServer) -> None:
    body = b'{"error": {"code": "Forbidden", "message": "this token is read-only:   builds of pull requests only plan"}}'
    server.data.fail_next.append(Canned(403, body))
    with pytest.raises(
        state.BackendError,
        match=r"403 Forbidden: the credentials were refused \(this token is read-only: builds "
        r"of pull requests only plan\)",
    ):
        http(server).client(DEFAULT).get()
    server.data.fail_next.append(Canned(403, b"go away"))
    with pytest.raises(state.BackendError, match=r"refused \(go away\)"):
        http(server).client(DEFAULT).get()


def test_auth_failure_on_lock_is_a_backend_error(server: StateServer) -> None:
    server.data.username, server.data.password = "ci", "s3cret"
    with pytest.raises(state.BackendError, match=r"could not lock the state: LOCK .* 401"):
        http(server).client(DEFAULT).lock(state.LockInfo.new("OperationTypeApply"))


# -- retries ----------------------------------------------------------------------------------


def test_retries_on_500_then_succeeds(server: StateServer) -> None:
    server.data.fail_next += [Canned(500, b"busy"), Canned(502, b"bad gateway")]
    client = http(server).client(DEFAULT)
    client.put(b"{}")
    assert server.methods() == ["POST", "POST", "POST"]
    assert server.data.states["/state/demo"] == b"{}"


def test_gives_up_after_retry_max_with_status_and_body(server: StateServer) -> None:
    server.data.fail_next += [Canned(500, b"db down\n  (try later)")] * 3
    client = http(server).client(DEFAULT)
    with pytest.raises(state.BackendError) as caught:
        client.get()
    assert str(caught.value) == (
        f"the http backend could not read the state: GET {server.url()} answered "
        "500 Internal Server Error (gave up after 3 attempts): db down (try later)"
    )
    assert server.methods() == ["GET"] * 3


def test_no_retry_on_4xx_or_501(server: StateServer) -> None:
    server.data.fail_next += [Canned(501, b"no such method"), Canned(400, b"")]
    client = http(server).client(DEFAULT)
    with pytest.raises(state.BackendError, match="501 Not Implemented: no such method"):
        client.get()
    with pytest.raises(state.BackendError, match=r"400 Bad Request: \(empty body\)"):
        client.delete()
    assert server.methods() == ["GET", "DELETE"]


def test_backoff_doubles_up_to_retry_wait_max_and_honours_retry_after(
    server: StateServer,
) -> None:
    waits: list[float] = []
    config = backends.HttpConfig(
        address=server.url(), retry_max=4, retry_wait_min=1, retry_wait_max=5
    )
    client = backends.HttpBackend(config, sleep=waits.append).client(DEFAULT)
    server.data.fail_next += [Canned(500, b"")] * 4
    assert client.get() is None
    assert waits == [1, 2, 4, 5]
    waits.clear()
    server.data.fail_next += [Canned(429, b""), Canned(503, b"")]
    assert client.get() is None
    assert waits == [1, 2]


def test_lock_retried_after_a_lost_answer_is_ours(server: StateServer) -> None:
    client = http(server).client(DEFAULT)
    info = state.LockInfo.new("OperationTypeApply")
    server.data.locks["/state/demo"] = {"ID": info.id, "Who": info.who}
    assert client.lock(info) == info.id


def test_unreadable_holder_information(server: StateServer) -> None:
    server.data.fail_next.append(Canned(423, b"<html>locked</html>"))
    with pytest.raises(state.StateLockedError, match="could not be read: <html>") as caught:
        http(server).client(DEFAULT).lock(state.LockInfo.new("OperationTypeApply"))
    assert caught.value.holder is None


# -- unreachable ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_server_is_a_clear_backend_error() -> None:
    url = f"http://127.0.0.1:{free_port()}/state"
    settings = {"address": url, "retry_max": 1, "retry_wait_min": 0, "retry_wait_max": 0}
    client = backends.configure("http", settings, {}, "/").client(DEFAULT)
    with pytest.raises(state.BackendError) as caught:
        state.Manager(client).read()
    message = str(caught.value)
    assert message.startswith(f"cannot reach the http backend to read the state: GET {url}: ")
    assert "Connection refused" in message
    assert message.endswith("(gave up after 2 attempts)")
    assert caught.value.__cause__ is not None


def test_passwords_in_urls_are_hidden() -> None:
    url = f"http://ci:topsecret@127.0.0.1:{free_port()}/state"
    settings = {"address": url, "retry_max": 0}
    client = backends.configure("http", settings, {}, "/").client(DEFAULT)
    with pytest.raises(state.BackendError) as caught:
        client.get()
    assert "topsecret" not in str(caught.value)
    assert "ci:***@127.0.0.1" in str(caught.value)
