"""The http backend over HTTPS with a self-signed certificate made by openssl for the test:
refused (clearly, without retrying) until trusted by client_ca_certificate_pem or with
skip_cert_verification."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from gitterra import backends, state
from tests.backends.state_server import StateServer

DEFAULT = state.DEFAULT_WORKSPACE

OPENSSL_REQ = (
    "req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
    "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1"
)

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    argv = ["openssl", *OPENSSL_REQ.split(), "-keyout", str(key), "-out", str(cert)]
    subprocess.run(
        argv,
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def tls_server(certificate: tuple[Path, Path]) -> Iterator[StateServer]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    with StateServer(tls=context) as server:
        yield server


def test_untrusted_certificate_is_refused_without_retries(tls_server: StateServer) -> None:
    client = backends.configure("http", {"address": tls_server.url()}, {}, "/").client(DEFAULT)
    with pytest.raises(state.BackendError) as caught:
        client.get()
    message = str(caught.value)
    assert message.startswith(
        f"cannot reach the http backend to read the state: GET {tls_server.url()}"
    )
    assert "TLS certificate is not trusted" in message
    assert "gave up" not in message


def test_trusted_by_ca_pem(tls_server: StateServer, certificate: tuple[Path, Path]) -> None:
    settings = {
        "address": tls_server.url(),
        "client_ca_certificate_pem": certificate[0].read_text(),
    }
    client = backends.configure("http", settings, {}, "/").client(DEFAULT)
    client.put(b"{}")
    assert client.get() == b"{}"


def test_skip_cert_verification(tls_server: StateServer) -> None:
    settings = {"address": tls_server.url(), "skip_cert_verification": True}
    client = backends.configure("http", settings, {}, "/").client(DEFAULT)
    assert client.get() is None
