"""The dashboard's audit page against a real server (real HTTP, real builds): who may see it,
what it shows after real calls (allowed, refused, failed; a build's token use), its filters and
their bad values, secrets kept off it, and paging through ten thousand records."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from gitterra.cloud import tokens
from tests.cloud.codebuild.conftest import B, P, buildspec, create, project, wait_build
from tests.cloud.conftest import CloudServer, running_server, wait_for
from tests.dashboard import world

pytestmark = pytest.mark.slow

T = "/api/v1/tokens"
SG = "/api/v1/security-groups"
ROW = re.compile(r'<tr class="(allowed|refused|failed)" id="seq-(\d+)">(.*?)</tr>', re.S)
#: A well-formed token this server never made.
UNKNOWN = "gts_0123456789abcdef_" + "x" * 43


def rows(html: str) -> list[tuple[int, str, str]]:
    """The page's records as shown, top to bottom: (seq, verdict, the row's HTML)."""
    return [(int(seq), verdict, body) for verdict, seq, body in ROW.findall(html)]


def shown(dash: httpx.Client, path: str, until: Callable[[str], bool]) -> str:
    """The page at ``path`` once ``until`` holds for it (a record is written just after its
    request is answered)."""

    def ready() -> str:
        html = world.page(dash, path)
        return html if until(html) else ""

    found: str = wait_for(ready, 30, f"{path} to show the expected records")
    return found


def new_token(server: CloudServer, **body: Any) -> tuple[str, dict[str, Any]]:
    made = create(server.client, T, body)
    return made.pop("token"), made


def scoped_client(server: CloudServer, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=60
    )


def test_only_the_admins_session_sees_the_page(server: CloudServer) -> None:
    text, made = new_token(server, project="outsider", description="outsider")
    with httpx.Client(base_url=server.url, timeout=60) as stranger:
        for path in ("/audit", "/audit?outcome=refused&actor=admin"):
            r = stranger.get(path)
            assert r.status_code == 303, (path, r.status_code)
            assert r.headers["location"].startswith("/login?next=/audit"), r.headers["location"]
        # a project token is refused by the API's rule, and the dashboard takes no bearer token
        assert (
            stranger.get("/api/v1/audit", headers={"Authorization": f"Bearer {text}"}).status_code
            == 403
        )
        r = stranger.get("/audit", headers={"Authorization": f"Bearer {text}"})
        assert r.status_code == 303
        # nor does it open a session
        form = stranger.get("/login?next=/audit")
        csrf = world.CSRF.search(form.text)
        assert csrf
        r = stranger.post("/login", data={"token": text, "csrf": csrf.group(1), "next": "/audit"})
        assert r.status_code == 401
        assert "gitterra_session" not in stranger.cookies
        r = stranger.get("/audit")
        assert r.status_code == 303
        for response in (r, form):
            assert made["id"] not in response.text
            assert "token.create" not in response.text


def test_real_calls_appear_newest_first_with_who_what_and_why(
    server: CloudServer, dash: httpx.Client
) -> None:
    text, made = new_token(server, project="audited", description="ci-robot")
    with scoped_client(server, text) as robot:
        assert robot.post(SG, json={"name": "audited-sg"}).status_code == 201
    with scoped_client(server, UNKNOWN) as forger:
        assert forger.post(SG, json={"name": "forged"}).status_code == 401
    hostile = server.client.post(f"{SG}/<script>alert(3)</script>", json={})
    assert hostile.status_code in (404, 405), hostile.text

    html = shown(dash, "/audit", lambda h: "alert(3)" in h)
    found = rows(html)
    seqs = [seq for seq, _, _ in found]
    assert seqs == sorted(seqs, reverse=True), "newest first"
    made_row = next(r for r in found if "token.create" in r[2] and made["id"] in r[2])
    used_row = next(r for r in found if f"token:{made['id']}" in r[2])
    forged_row = next(r for r in found if r[1] == "refused" and "forged" not in r[2])
    hostile_row = found[0]
    assert made_row[0] < used_row[0] < forged_row[0] < hostile_row[0]

    assert made_row[1] == "allowed"
    assert ">admin<" in made_row[2]
    assert "201" in made_row[2]
    assert 'href="/audit?project=audited"' in made_row[2]
    assert used_row[1] == "allowed"
    assert "ci-robot" in used_row[2], "a token is shown with its description"
    assert f"POST {SG}" in used_row[2]
    assert forged_row[1] == "refused"
    assert "anonymous" in forged_row[2]
    assert "the token is not valid for this server" in forged_row[2], "a refusal says why"
    assert "127.0.0.1" in forged_row[2]
    assert hostile_row[1] == "failed"
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in hostile_row[2]
    assert "<script>alert" not in html
    # the exact time on hover, the relative one shown
    assert re.search(r'title="\d{4}-\d\d-\d\dT[\d:.]+Z">\d+s ago<', made_row[2]), made_row[2]

    # secrets never: the token's text, the admin token, the forged one
    for secret in (text, server.token, UNKNOWN):
        assert secret not in html
    assert 'href="/audit" aria-current="page"' in html, "the navigation links the page"


def test_a_read_only_refusal_says_why(server: CloudServer, dash: httpx.Client) -> None:
    text, made = new_token(server, project="reader", read_only=True, description="reader")
    with scoped_client(server, text) as reader:
        assert reader.post(SG, json={"name": "not-mine"}).status_code == 403
    html = shown(dash, f"/audit?actor=token:{made['id']}", lambda h: bool(rows(h)))
    [(_, verdict, body)] = rows(html)
    assert verdict == "refused"
    assert "this token is read-only: builds of pull requests only plan" in body


def test_a_builds_page_links_to_what_its_token_did(server: CloudServer, dash: httpx.Client) -> None:
    calls = (
        'curl -sf -o /dev/null -H "Authorization: Bearer $GITTERRA_TOKEN" '
        '"$GITTERRA_ENDPOINT/api/v1/security-groups"'
    )
    create(
        server.client,
        P,
        project("tokened", source={"type": "NO_SOURCE", "buildspec": buildspec(calls)}),
    )
    build = wait_build(server.client, create(server.client, B, {"project_name": "tokened"})["id"])
    assert build["status"] == "SUCCEEDED", build

    page = world.page(dash, f"/builds/{build['id']}")
    link = re.search(r'href="(/audit\?actor=build[^"]+)"', page)
    assert link, page
    html = shown(dash, link.group(1).replace("&amp;", "&"), lambda h: bool(rows(h)))
    found = rows(html)
    assert all(f'href="/builds/{build["id"]}"' in body for _, _, body in found), html
    assert any(f"GET {SG}" in body and verdict == "allowed" for _, verdict, body in found)
    assert f"tokened #{build['build_number']}" in html
    assert "build.token" not in html, "the server's own records of it are another actor's"


def test_filters_show_only_what_they_ask_for(server: CloudServer, dash: httpx.Client) -> None:
    text, made = new_token(server, project="filtered", description="filtered")
    with scoped_client(server, text) as robot:
        assert robot.post(SG, json={"name": "filtered-sg"}).status_code == 201
        assert robot.delete(f"{SG}/sg-nonexistent").status_code in (403, 404)
    with scoped_client(server, UNKNOWN) as forger:
        assert forger.get(SG).status_code == 401

    def every(query: str, check: Callable[[str, str], bool]) -> list[tuple[int, str, str]]:
        html = shown(dash, f"/audit?{query}", lambda h: bool(rows(h)))
        found = rows(html)
        assert all(check(verdict, body) for _, verdict, body in found), (query, html)
        return found

    everything = every("project=filtered", lambda v, b: 'href="/audit?project=filtered"' in b)
    assert len(everything) >= 3
    assert every("actor=admin&project=filtered", lambda v, b: ">admin<" in b)
    mine = every(f"actor=token:{made['id']}", lambda v, b: f"token:{made['id']}" in b)
    assert len(mine) == 2
    assert every("actor=token:", lambda v, b: "token:" in b)
    refused = every("outcome=refused", lambda v, b: v == "refused")
    assert any("the token is not valid" in body for _, _, body in refused)
    assert every("outcome=allowed&project=filtered", lambda v, b: v == "allowed")
    html = world.page(dash, "/audit?actor=build:nothing-like-this")
    assert rows(html) == []
    assert "No audit records match these filters." in html
    # the form keeps what was asked
    kept = world.page(dash, "/audit?outcome=refused&project=filtered")
    assert "<option selected>refused</option>" in kept
    assert "<option selected>filtered</option>" in kept


def test_bad_filter_values_are_named(dash: httpx.Client) -> None:
    for query, named in (
        ("actor=nobody", "actor"),
        ("actor=build:a%20b", "actor"),
        ("actor=" + "token:" + "f" * 300, "actor"),
        ("outcome=maybe", "outcome"),
        ("project=%01", "project"),
        ("limit=0", "limit"),
        ("limit=5000", "limit"),
        ("before=soon", "before"),
        ("after=-1", "after"),
        ("before=5&after=2", "after"),
    ):
        r = dash.get(f"/audit?{query}")
        assert r.status_code == 400, (query, r.status_code)
        assert "text/html" in r.headers["content-type"]
        assert f"<code>{named}</code>" in r.text, query
        assert 'id="seq-' not in r.text


def test_paging_through_ten_thousand_records_stays_fast(tmp_path: Path) -> None:
    """Ten thousand records written by the log's own class into the running server's log
    (making them as requests would take minutes), then walked page by page over HTTP."""
    with running_server(tmp_path) as server:
        log = tokens.AuditLog(server.data_dir / "audit.db")
        try:
            for i in range(10_000):
                refused = i % 10 == 0
                log.record(
                    tokens.Record(
                        "anonymous" if refused else "admin",
                        f"POST {SG}",
                        f"{SG}/{i}",
                        401 if refused else 201,
                        "127.0.0.1",
                        "bulk",
                        "the token is not valid for this server" if refused else "",
                    )
                )
        finally:
            log.close()
        dash = world.login(server.url, server.token)
        try:
            seen, slowest = _walk(dash, "/audit?limit=500&project=bulk")
            assert len(seen) == 10_000
            assert seen == sorted(seen, reverse=True)
            assert seen == list(range(seen[0], seen[0] - 10_000, -1)), "no gap, no repeat"
            refused, slowest_filtered = _walk(dash, "/audit?outcome=refused&limit=1000")
            assert len(refused) == 1_000
            # a newer link goes back exactly one page
            second = world.page(dash, f"/audit?project=bulk&before={seen[99]}")
            newer = re.search(r'href="([^"]+)" rel="prev"', second)
            assert newer
            back = rows(world.page(dash, newer.group(1).replace("&amp;", "&")))
            assert [seq for seq, _, _ in back] == seen[:100]
        finally:
            dash.close()
    assert max(slowest, slowest_filtered) < 2.0, (slowest, slowest_filtered)


def _walk(dash: httpx.Client, first: str) -> tuple[list[int], float]:
    """Every record's seq from ``first`` following the older links, and the slowest page's
    time in seconds."""
    seen: list[int] = []
    slowest = 0.0
    path: str | None = first
    while path is not None:
        started = time.perf_counter()
        html = world.page(dash, path)
        slowest = max(slowest, time.perf_counter() - started)
        seen += [seq for seq, _, _ in rows(html)]
        older = re.search(r'href="([^"]+)" rel="next"', html)
        path = older.group(1).replace("&amp;", "&") if older else None
    return seen, slowest
