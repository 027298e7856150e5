"""The dashboard's pages against a real server: login, sessions and CSRF, what each page
lists, escaping of hostile names, bad parameters, and the live log stream."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

from tests.cloud.conftest import CloudServer, wait_for
from tests.cloud.conftest import gates as gates  # the fixture: gates confined builds can see
from tests.dashboard import world
from tests.dashboard.conftest import HOSTILE_BRANCH, HOSTILE_TITLE, World

pytestmark = pytest.mark.slow

PAGES = ["/", "/builds", "/timeline", "/infrastructure", "/deliveries", "/pulls", "/projects/x"]


def test_every_page_needs_a_session(server: CloudServer) -> None:
    with httpx.Client(base_url=server.url, timeout=60) as anonymous:
        for path in [*PAGES, "/builds/x:y", "/builds?status=FAILED"]:
            r = anonymous.get(path)
            assert r.status_code == 303, (path, r.status_code)
            assert r.headers["location"].startswith("/login?next=/"), r.headers["location"]
        assert anonymous.get("/builds/x:y/events").status_code == 401
        forged = anonymous.get("/", headers={"Cookie": "gitterra_session=made-up"})
        assert forged.status_code == 303


def test_login_refuses_a_wrong_token_and_a_forged_form(server: CloudServer) -> None:
    with httpx.Client(base_url=server.url, timeout=60) as client:
        form = client.get("/login?next=/pulls")
        csrf = world.CSRF.search(form.text)
        assert csrf
        assert 'value="/pulls"' in form.text
        wrong = client.post("/login", data={"token": "gtr_wrong", "csrf": csrf.group(1)})
        assert wrong.status_code == 401
        assert "not the server&#39;s token" in wrong.text
        assert "gitterra_session" not in client.cookies
        # the token alone is not enough: the form's own CSRF token must come back with it
        client.cookies.clear()
        forged = client.post("/login", data={"token": server.token, "csrf": "guess"})
        assert forged.status_code == 400
        assert "gitterra_session" not in client.cookies
        assert client.get("/").status_code == 303
        huge = client.post("/login", content=b"a=" + b"x" * 20000)
        assert huge.status_code == 413


def test_login_goes_back_where_it_was_asked_but_never_elsewhere(server: CloudServer) -> None:
    with httpx.Client(base_url=server.url, timeout=60) as client:
        for asked, landed in (
            ("/pulls", "/pulls"),
            ("//evil.example/x", "/"),
            ("https://e.x", "/"),
        ):
            client.cookies.clear()
            csrf = world.CSRF.search(client.get("/login").text)
            assert csrf
            r = client.post(
                "/login", data={"token": server.token, "csrf": csrf.group(1), "next": asked}
            )
            assert (r.status_code, r.headers["location"]) == (303, landed)
        # logged in, the login page sends the reader on
        r = client.get("/login?next=/timeline")
        assert (r.status_code, r.headers["location"]) == (303, "/timeline")


def test_the_session_cookie_is_strict_and_opens_no_api(
    server: CloudServer, dash: httpx.Client
) -> None:
    cookie = dash.cookies.jar
    [session] = [c for c in cookie if c.name == "gitterra_session"]
    assert session.path == "/"
    assert session.has_nonstandard_attr("HttpOnly")
    assert session.get_nonstandard_attr("SameSite", "").lower() == "strict"
    assert dash.get("/").status_code == 200
    # the JSON API, the state endpoint and /metrics ignore the cookie: bearer tokens only
    assert dash.get("/api/v1/meta").status_code == 401
    assert dash.post("/api/v1/codebuild/projects", json={"name": "evil"}).status_code == 401
    assert dash.get("/metrics").status_code == 401
    assert dash.get("/state/infra/terraform").status_code == 401
    assert server.client.get("/api/v1/codebuild/projects/evil").status_code == 404


def test_a_link_from_another_site_keeps_the_session(
    server: CloudServer, dash: httpx.Client
) -> None:
    """A commit status link arrives without the SameSite=Strict cookie: /login bounces once
    through this site, so the browser sends it and the reader lands where the link pointed."""
    with httpx.Client(base_url=server.url, timeout=60) as stranger:
        r = stranger.get("/login?next=/builds", headers={"Sec-Fetch-Site": "cross-site"})
        assert r.status_code == 200
        assert (
            '<meta http-equiv="refresh" content="0; url=/login?bounced=1&amp;next=/builds">'
            in r.text
        )
    r = dash.get("/login?bounced=1&next=/builds")
    assert (r.status_code, r.headers["location"]) == (303, "/builds")


def test_logout_needs_the_csrf_token_and_ends_the_session(server: CloudServer) -> None:
    client = world.login(server.url, server.token)
    try:
        home = world.page(client, "/")
        csrf = world.CSRF.search(home)
        assert csrf
        refused = client.post("/logout", data={"csrf": "forged"})
        assert refused.status_code == 400
        assert "csrf" in refused.text
        assert client.get("/").status_code == 200
        kept = client.cookies["gitterra_session"]
        done = client.post("/logout", data={"csrf": csrf.group(1)})
        assert (done.status_code, done.headers["location"]) == (303, "/login")
        # the old cookie is dead, even when sent again
        again = httpx.get(server.url + "/", headers={"Cookie": f"gitterra_session={kept}"})
        assert again.status_code == 303
    finally:
        client.close()


def test_pages_list_what_the_server_holds(filled: World, dash: httpx.Client) -> None:
    build = filled.build
    overview = world.page(dash, "/")
    for name in ("infra", "app", "forge", "web", filled.site.url):
        assert name in overview, name
    assert f"infra #{build['build_number']}" in overview
    [instance] = filled.site.instances(state="running")
    assert instance["id"] in overview

    builds = world.page(dash, "/builds?project=infra&status=SUCCEEDED")
    assert f"/builds/{build['id']}" in builds
    assert "app #" not in builds

    one = world.page(dash, f"/builds/{build['id']}")
    for phase in ("DOWNLOAD_SOURCE", "INSTALL", "BUILD", "POST_BUILD", "FINALIZING"):
        assert f'<span class="name">{phase}</span>' in one
    assert "Plan: 2 to add, 1 to change, 0 to destroy." in one  # summary, colours stripped
    assert '<span class="b">Plan:</span> 2 to add' in one  # the log, colours as classes
    assert "&lt;b&gt;not bold&lt;/b&gt; &amp; done" in one
    assert "data-stream" not in one  # an ended build is not followed
    raw = dash.get(f"/builds/{build['id']}/log.txt")
    assert raw.headers["content-type"] == "text/plain; charset=utf-8"
    assert "\x1b[1mPlan:\x1b[0m 2 to add" in raw.text  # the log as written

    timeline = world.page(dash, "/timeline")
    assert "Plan: 2 to add, 1 to change, 0 to destroy." in timeline
    assert "Apply complete! Resources: 2 added, 1 changed, 0 destroyed." in timeline
    assert "a hostile branch" in timeline  # the commit message, from the git host

    infra = world.page(dash, "/infrastructure")
    for text in ("aws_lb.web", "aws_autoscaling_group.web", filled.site.url, instance["id"]):
        assert text in infra, text
    assert "aws_autoscaling_group.gone" in infra
    assert "missing" in infra
    assert "InService" in infra
    assert "healthy" in infra

    deliveries = world.page(dash, "/deliveries")
    assert "refused" in deliveries
    assert "X-Hub-Signature-256 does not match" in deliveries
    assert "githost" in deliveries

    pulls = world.page(dash, "/pulls")
    assert f"#{filled.pull['number']}" in pulls
    assert "gitterra/app" in pulls  # the status context, linked to its build
    assert re.search(r'href="http://127\.0\.0\.1:\d+/builds/app:', pulls)

    project = world.page(dash, "/projects/infra")
    assert "aws_lb_listener.http" in project
    assert f"#{build['build_number']}" in project


def test_hostile_names_are_escaped(filled: World, dash: httpx.Client) -> None:
    for path in ("/", "/builds", "/timeline", "/deliveries", "/pulls", "/projects/app"):
        text = world.page(dash, path)
        assert "<script>alert" not in text, path
        assert "<img src=x" not in text, path
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in world.page(dash, "/deliveries")
    pulls = world.page(dash, "/pulls")
    assert "&lt;img src=x onerror=&#34;alert(2)&#34;&gt;" in pulls
    assert HOSTILE_BRANCH not in pulls
    assert HOSTILE_TITLE not in pulls


def test_bad_parameters_are_pages_naming_them(filled: World, dash: httpx.Client) -> None:
    for path, status, named in (
        ("/builds?status=DONE", 400, "status"),
        ("/builds?limit=0", 400, "limit"),
        ("/builds?limit=many", 400, "limit"),
        ("/deliveries?limit=5000", 400, "limit"),
        (f"/builds/{filled.build['id']}/events?offset=99999999", 400, "offset"),
        (f"/builds/{filled.build['id']}/events?offset=-1", 400, "offset"),
        ("/builds/infra:no-such-build", 404, None),
        ("/projects/nothing-here", 404, None),
    ):
        r = dash.get(path)
        assert r.status_code == status, (path, r.status_code)
        assert "text/html" in r.headers["content-type"]
        if named:
            assert f"<code>{named}</code>" in r.text, path


def test_pages_carry_a_strict_content_security_policy(dash: httpx.Client) -> None:
    r = dash.get("/")
    policy = r.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "default-src 'none'" in policy
    assert r.headers["x-frame-options"] == "DENY"
    assert dash.get("/static/dashboard.css").status_code == 200
    assert dash.get("/static/dashboard.js").status_code == 200


def test_the_live_log_follows_a_running_build(
    server: CloudServer, dash: httpx.Client, gates: Path
) -> None:
    world.gated_project(server.client, "gated", gates, lines=3)
    build = world.run_build(server.client, "gated", wait=False)
    page = world.page(dash, f"/builds/{build['id']}")
    assert "data-stream" in page
    seen: list[str] = []
    ended = None
    with dash.stream("GET", f"/builds/{build['id']}/events?offset=0", timeout=120) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        name = ""
        for raw in stream.iter_lines():
            if raw.startswith("event: "):
                name = raw[7:]
            elif raw.startswith("data: ") and name == "lines":
                for segments in json.loads(raw[6:])["lines"]:
                    text = "".join(t for _, t in segments)
                    seen.append(text)
                    if text.startswith("line "):
                        assert segments == [["c6", text]]  # the colour came through
                        (gates / text.split()[1]).touch()  # let the build print the next
            elif raw.startswith("data: ") and name == "end":
                ended = json.loads(raw[6:])
                break
    assert [s for s in seen if s.startswith("line ")] == ["line 1", "line 2", "line 3"]
    assert ended == {"status": "SUCCEEDED", "tone": "ok"}
    done = world.page(dash, f"/builds/{build['id']}")
    wait_for(
        lambda: "data-stream" not in world.page(dash, f"/builds/{build['id']}"),
        60,
        "the page to stop following",
    )
    assert "line 3" in done
