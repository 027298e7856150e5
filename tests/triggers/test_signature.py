"""Signature checks: GitHub's documented test vector, and a distinct refusal for a missing, a
malformed and a wrong signature on every forge."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from gitterra import triggers

# GitHub's documented example ("Validating webhook deliveries"), REFERENCE.md.
VECTOR_SECRET = b"It's a Secret to Everybody"
VECTOR_BODY = b"Hello, World!"
VECTOR_SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
VECTOR_HEX = VECTOR_SIGNATURE.removeprefix("sha256=")


def test_github_documented_vector() -> None:
    triggers.verify_github(VECTOR_SECRET, VECTOR_BODY, VECTOR_SIGNATURE)
    assert hmac.new(VECTOR_SECRET, VECTOR_BODY, hashlib.sha256).hexdigest() == VECTOR_HEX


def test_github_accepts_upper_case_hex_and_surrounding_space() -> None:
    triggers.verify_github(VECTOR_SECRET, VECTOR_BODY, " sha256=" + VECTOR_HEX.upper() + " ")


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (None, "missing X-Hub-Signature-256 header: deliveries must be signed"),
        ("", "missing X-Hub-Signature-256 header: deliveries must be signed"),
        (
            VECTOR_HEX,
            "malformed X-Hub-Signature-256 header: expected 'sha256=' followed by 64 "
            "hexadecimal digits",
        ),
        (
            "sha1=" + VECTOR_HEX,
            "malformed X-Hub-Signature-256 header: expected 'sha256=' followed by 64 "
            "hexadecimal digits",
        ),
        (
            "sha256=" + VECTOR_HEX[:-1],
            "malformed X-Hub-Signature-256 header: expected 'sha256=' followed by 64 "
            "hexadecimal digits",
        ),
        (
            "sha256=" + VECTOR_HEX[:-1] + "g",
            "malformed X-Hub-Signature-256 header: expected 'sha256=' followed by 64 "
            "hexadecimal digits",
        ),
        (
            "sha256=" + VECTOR_HEX[:-1] + "é",
            "malformed X-Hub-Signature-256 header: expected 'sha256=' followed by 64 "
            "hexadecimal digits",
        ),
        (
            "sha256=" + VECTOR_HEX[:-1] + "0",
            "X-Hub-Signature-256 does not match: the body was not signed with this webhook's "
            "secret",
        ),
    ],
)
def test_github_refusals(header: str | None, message: str) -> None:
    with pytest.raises(triggers.SignatureError) as info:
        triggers.verify_github(VECTOR_SECRET, VECTOR_BODY, header)
    assert str(info.value) == message


def test_github_body_or_secret_changed_is_a_mismatch() -> None:
    with pytest.raises(triggers.SignatureError, match="does not match"):
        triggers.verify_github(VECTOR_SECRET, VECTOR_BODY + b" ", VECTOR_SIGNATURE)
    with pytest.raises(triggers.SignatureError, match="does not match"):
        triggers.verify_github(b"another secret", VECTOR_BODY, VECTOR_SIGNATURE)


def test_gitea_is_the_bare_digest() -> None:
    triggers.verify_gitea(VECTOR_SECRET, VECTOR_BODY, VECTOR_HEX)
    with pytest.raises(triggers.SignatureError) as info:
        triggers.verify_gitea(VECTOR_SECRET, VECTOR_BODY, VECTOR_SIGNATURE)
    assert str(info.value) == "malformed X-Gitea-Signature header: expected 64 hexadecimal digits"
    with pytest.raises(triggers.SignatureError) as info:
        triggers.verify_gitea(VECTOR_SECRET, VECTOR_BODY, None, name="X-Forgejo-Signature")
    assert str(info.value) == "missing X-Forgejo-Signature header: deliveries must be signed"
    with pytest.raises(triggers.SignatureError) as info:
        triggers.verify_gitea(VECTOR_SECRET, b"other", VECTOR_HEX)
    assert str(info.value) == (
        "X-Gitea-Signature does not match: the body was not signed with this webhook's secret"
    )


def test_gitlab_token_is_the_secret() -> None:
    triggers.verify_gitlab(VECTOR_SECRET, "It's a Secret to Everybody")
    with pytest.raises(triggers.SignatureError) as info:
        triggers.verify_gitlab(VECTOR_SECRET, None)
    assert str(info.value) == "missing X-Gitlab-Token header: deliveries must be signed"
    with pytest.raises(triggers.SignatureError) as info:
        triggers.verify_gitlab(VECTOR_SECRET, "It's a secret to everybody")
    assert str(info.value) == "X-Gitlab-Token does not match this webhook's secret"


@pytest.mark.parametrize(
    ("forge", "headers"),
    [
        ("github", {"x-hub-signature-256": VECTOR_SIGNATURE}),
        ("gitea", {"X-Gitea-Signature": VECTOR_HEX}),
        ("gitea", {"X-Forgejo-Signature": VECTOR_HEX}),
        ("gitea", {"X-Gitea-Signature": "", "X-Forgejo-Signature": VECTOR_HEX}),
        ("gitea", {"X-Hub-Signature-256": VECTOR_SIGNATURE}),
        ("gitlab", {"X-Gitlab-Token": VECTOR_SECRET.decode()}),
    ],
)
def test_verify_delivery_reads_each_forges_header(forge: str, headers: dict[str, str]) -> None:
    triggers.verify_delivery(forge, VECTOR_SECRET, headers, VECTOR_BODY)


@pytest.mark.parametrize(
    ("forge", "message"),
    [
        ("github", "missing X-Hub-Signature-256 header"),
        ("gitea", "missing X-Gitea-Signature header"),
        ("gitlab", "missing X-Gitlab-Token header"),
    ],
)
def test_verify_delivery_without_signature(forge: str, message: str) -> None:
    with pytest.raises(triggers.SignatureError, match=message):
        triggers.verify_delivery(forge, VECTOR_SECRET, {"X-GitHub-Event": "push"}, VECTOR_BODY)


def test_verify_delivery_refuses_two_different_spellings_of_the_signature() -> None:
    headers = {"X-Hub-Signature-256": VECTOR_SIGNATURE, "x-hub-signature-256": "sha256=" + "0" * 64}
    with pytest.raises(triggers.SignatureError, match="given twice"):
        triggers.verify_delivery("github", VECTOR_SECRET, headers, VECTOR_BODY)


def test_an_empty_secret_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="must not be empty"):
        triggers.verify_github(b"", VECTOR_BODY, VECTOR_SIGNATURE)
    with pytest.raises(ValueError, match="must not be empty"):
        triggers.verify_gitlab(b"", "")
    with pytest.raises(ValueError, match="unknown forge"):
        triggers.verify_delivery("bitbucket", VECTOR_SECRET, {}, VECTOR_BODY)
