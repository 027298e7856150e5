"""The pure parts: token text, durations, limits from the environment, token buckets, and the
ownership rules, table-driven."""

from __future__ import annotations

import pytest

from gitterra.cloud import ValidationError, tokens
from gitterra.cloud.tokens import _secret
from gitterra.server import _limits

# -- token text -------------------------------------------------------------------------------


def test_new_tokens_split_back_and_match_only_their_hash() -> None:
    for kind, prefix in (("scoped", "gts_"), ("build", "gtb_")):
        token_id, text = _secret.new(kind)
        assert text.startswith(prefix + token_id + "_")
        assert _secret.split(text) == (kind, token_id)
        stored = _secret.digest(text)
        assert stored != text
        assert len(stored) == 64
        assert _secret.matches(text, stored)
        assert not _secret.matches(text[:-1] + ("A" if text[-1] != "A" else "B"), stored)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "gtr_admin-looking",
        "gts_",
        "gts_0123456789abcdef",  # no secret
        "gts_0123456789abcdef_",
        "gts_0123456789ABCDEF_secret",  # the id is lower-case hex
        "gts_0123_secret",
        "gtx_0123456789abcdef_secret",
        "Bearer gts_0123456789abcdef_secret",
    ],
)
def test_text_without_a_tokens_shape_is_no_token(text: str) -> None:
    assert _secret.split(text) is None


# -- durations --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90), ("30m", 1800), ("24h", 86400), ("7d", 604800), ("1h30m", 5400), ("never", None)],
)
def test_durations(text: str, seconds: float | None) -> None:
    assert tokens.duration(text, "expires_in") == seconds


@pytest.mark.parametrize("text", ["", "3", "3x", "-1h", "1.5h", "0s", "3651d", "24 h", 24])
def test_bad_durations_name_the_field(text: object) -> None:
    with pytest.raises(ValidationError) as caught:
        tokens.duration(text, "expires_in")
    assert caught.value.field == "expires_in"
    assert "expires_in" in caught.value.message


# -- limits from the environment ----------------------------------------------------------------


def test_limits_default_and_from_the_environment() -> None:
    assert _limits.Limits.from_environ({}) == _limits.Limits()
    limits = _limits.Limits.from_environ(
        {
            "GITTERRA_RATE_WEBHOOKS": "5:10",
            "GITTERRA_RATE_API": "off",
            "GITTERRA_BODY_API": "2MiB",
            "GITTERRA_BODY_STATE": "512KiB",
            "GITTERRA_BODY_OTHER": "off",
        }
    )
    assert limits.rates["webhooks"] == _limits.Rate(5, 10)
    assert limits.rates["api"] is None
    assert limits.rates["state"] == _limits.DEFAULT_RATES["state"]
    assert limits.bodies["api"] == 2 * 1024 * 1024
    assert limits.bodies["state"] == 512 * 1024
    assert limits.bodies["other"] is None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("GITTERRA_RATE_API", "fast"),
        ("GITTERRA_RATE_API", "10"),
        ("GITTERRA_RATE_API", "0:10"),
        ("GITTERRA_RATE_API", "10:0"),
        ("GITTERRA_BODY_API", "1 TB"),
        ("GITTERRA_BODY_STATE", "-5"),
        ("GITTERRA_BODY_GIT", "0"),
    ],
)
def test_malformed_limits_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(_limits.LimitsError, match=name):
        _limits.Limits.from_environ({name: value})


@pytest.mark.parametrize(
    ("path", "family"),
    [
        ("/webhooks/github/wh-1", "webhooks"),
        ("/api/v1/security-groups", "api"),
        ("/state/site/terraform", "state"),
        ("/git/site.git/info/refs", "git"),
        ("/login", "other"),
        ("/metrics", "other"),
        ("/apix", "other"),
    ],
)
def test_route_families(path: str, family: str) -> None:
    assert _limits.family(path) == family


# -- token buckets ------------------------------------------------------------------------------


def test_a_bucket_allows_its_burst_then_asks_to_wait_and_refills() -> None:
    limiter = _limits.RateLimiter({"webhooks": _limits.Rate(2, 3)})
    assert [limiter.take("webhooks", "a", 100.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = limiter.take("webhooks", "a", 100.0)
    assert wait == pytest.approx(0.5)
    assert _limits.retry_after(wait) == "1"
    assert limiter.take("webhooks", "b", 100.0) == 0.0, "another source has its own bucket"
    assert limiter.take("api", "a", 100.0) == 0.0, "a family without a rate is not limited"
    assert limiter.take("webhooks", "a", 100.5) == 0.0, "half a second refills one token"
    assert limiter.take("webhooks", "a", 100.5) > 0
    assert [limiter.take("webhooks", "a", 1000.0) for _ in range(3)] == [0.0] * 3, "full again"


def test_the_bucket_table_is_bounded() -> None:
    limiter = _limits.RateLimiter({"api": _limits.Rate(1, 1)}, max_sources=10)
    for i in range(100):
        limiter.take("api", f"10.0.0.{i}", 0.0)
    assert len(limiter._buckets["api"]) == 10


@pytest.mark.parametrize(("seconds", "header"), [(0.01, "1"), (1.0, "1"), (1.2, "2"), (30, "30")])
def test_retry_after_is_whole_seconds(seconds: float, header: str) -> None:
    assert _limits.retry_after(seconds) == header


# -- ownership ----------------------------------------------------------------------------------

WEB = tokens.Principal("build", "web", False, "t1", "web:1")
WEB_PR = tokens.Principal("build", "web", True, "t2", "web:2")
SHOP = tokens.Principal("scoped", "shop", False, "t3")
NOBODY = tokens.Principal("scoped", None, False, "t4")


@pytest.mark.parametrize(
    ("principal", "owner", "refusal"),
    [
        (None, None, None),  # the server itself
        (tokens.ADMIN, "shop", None),
        (WEB, "web", None),
        (WEB, "shop", "is owned by project shop: project web's token"),
        (WEB, None, "is owned by the admin (no project)"),
        (WEB_PR, "web", tokens.READ_ONLY),
        (SHOP, "web", "is owned by project web: project shop's token"),
        (NOBODY, None, "a project-less token's token"),
    ],
)
def test_who_may_change_what(
    principal: tokens.Principal | None, owner: str | None, refusal: str | None
) -> None:
    doc = {"name": "x"} if owner is None else {"name": "x", tokens.OWNER: owner}
    context = tokens.acting_as(principal) if principal else _nothing()
    with context:
        if refusal is None:
            tokens.check_change(doc, "security group sg-1")
        else:
            with pytest.raises(tokens.Forbidden) as caught:
                tokens.check_change(doc, "security group sg-1")
            assert refusal in caught.value.message
            assert caught.value.status == 403
            if refusal != tokens.READ_ONLY:
                assert caught.value.message.startswith("security group sg-1 ")


@pytest.mark.parametrize(
    ("principal", "stamped"),
    [(None, None), (tokens.ADMIN, None), (WEB, "web"), (NOBODY, None)],
)
def test_what_a_new_resource_records(
    principal: tokens.Principal | None, stamped: str | None
) -> None:
    doc: dict[str, object] = {}
    with tokens.acting_as(principal) if principal else _nothing():
        tokens.stamp(doc)
    assert doc.get(tokens.OWNER) == stamped
    with tokens.acting_as(WEB_PR), pytest.raises(tokens.Forbidden, match="read-only"):
        tokens.stamp({})


def test_builds_admin_calls_and_the_end_of_a_request() -> None:
    with tokens.acting_as(WEB):
        tokens.check_project("web", "a build of project web")
        with pytest.raises(tokens.Forbidden, match="belongs to project shop"):
            tokens.check_project("shop", "a build of project shop")
        with pytest.raises(tokens.Forbidden, match="only the admin token may manage"):
            tokens.require_admin("manage")
        assert tokens.current() == WEB
    assert tokens.current() is None
    with tokens.acting_as(tokens.ADMIN):
        tokens.require_admin("manage")


def test_a_task_started_by_a_request_stops_acting_for_it_when_it_ends() -> None:
    import contextvars

    with tokens.acting_as(WEB):
        inherited = contextvars.copy_context()  # what a task created now would get
        assert inherited.run(tokens.current) == WEB
    assert inherited.run(tokens.current) is None


def _nothing() -> object:
    import contextlib

    return contextlib.nullcontext()
