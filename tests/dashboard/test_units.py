"""The dashboard's pure parts, table-driven: ANSI segments, log summaries, rates from counter
snapshots, sparkline points, sessions, formatting, query parameters, states."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitterra.cloud.elb.dataplane import BUCKETS, EndpointMetrics, Histogram, Metrics
from gitterra.server.dashboard import (
    PageError,
    _ansi,
    _fmt,
    _params,
    _rates,
    _session,
    _spark,
    _states,
    _summary,
    _timeline,
)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("plain", [("", "plain")]),
        ("\x1b[1mPlan:\x1b[0m 1 to add", [("b", "Plan:"), ("", " 1 to add")]),
        ("\x1b[1;32mApply complete!\x1b[0m ok", [("b c2", "Apply complete!"), ("", " ok")]),
        ("\x1b[31merr\x1b[39m \x1b[91mbright\x1b[m", [("c1", "err"), ("", " "), ("c1", "bright")]),
        ("\x1b[38;5;208morange\x1b[0m", [("", "orange")]),
        ("\x1b[38;2;1;2;3mrgb\x1b[1m!", [("", "rgb"), ("b", "!")]),
        ("\x1b]0;title\x07text\x1b[2K\r", [("", "text")]),
        ("a\x00b\x07c\td", [("", "abc\td")]),
        ("\x1b[1m\x1b[22m", []),
        ("<script>", [("", "<script>")]),  # text stays text: templates escape it
    ],
)
def test_ansi_segments(line: str, expected: list[tuple[str, str]]) -> None:
    assert _ansi.segments(line) == expected


def test_log_summary_takes_the_last_plan_and_apply_and_the_first_error() -> None:
    lines = [
        "\x1b[1mPlan:\x1b[0m 1 to add, 0 to change, 0 to destroy.",
        "│ Error: first problem",
        "Error: second problem",
        "No changes. Your infrastructure matches the configuration.",
        "\x1b[1;32mApply complete!\x1b[0m Resources: 0 added, 0 changed, 0 destroyed.",
        "Plan: 9 to add is not a summary",
    ]
    summary = _summary.scan(_summary.LogSummary(), lines)
    assert summary == _summary.LogSummary(
        plan="No changes. Your infrastructure matches the configuration.",
        apply="Apply complete! Resources: 0 added, 0 changed, 0 destroyed.",
        error="Error: first problem",
    )


def test_summaries_read_only_what_was_appended(tmp_path: Path) -> None:
    path = tmp_path / "build.log"
    path.write_text("Plan: 1 to add, 0 to change, 0 to destroy.\nApply compl")
    summaries = _summary.Summaries()
    first = summaries.get("b", path, complete=False)
    assert (first.plan, first.apply) == ("Plan: 1 to add, 0 to change, 0 to destroy.", "")
    with path.open("a") as fh:
        fh.write("ete! Resources: 1 added, 0 changed, 0 destroyed.\n")
    done = summaries.get("b", path, complete=True)
    assert done.apply == "Apply complete! Resources: 1 added, 0 changed, 0 destroyed."
    path.write_text("")  # read to the end of an ended build: never read again
    assert summaries.get("b", path, complete=True) == done
    assert summaries.get("none", tmp_path / "missing.log", complete=True) == _summary.LogSummary()


def metrics(requests: int, errors: int, fast: int, other: int | None = None) -> Metrics:
    def endpoint(req: int, err: int, quick: int) -> EndpointMetrics:
        counts = [0] * len(BUCKETS)
        counts[BUCKETS.index(0.001)] = quick
        counts[BUCKETS.index(0.1)] = req - quick
        return EndpointMetrics(
            req, {"2xx": req - err, "5xx": err}, {}, 0, 0, 0, 0, Histogram(tuple(counts), 0.0)
        )

    listeners = {"l1": endpoint(requests, errors, fast)}
    if other is not None:
        listeners["l2"] = endpoint(other, 0, other)
    return Metrics(listeners, {})


def test_rates_from_snapshots() -> None:
    history = _rates.History(keep=10)
    assert history.figures(["l1"]) == _rates.Figures(0.0, 0.0, 0.0, 0.0, 0, (), ())
    history.add(0.0, metrics(0, 0, 0, other=0))
    history.add(2.0, metrics(100, 10, 50, other=20))
    history.add(4.0, metrics(300, 10, 250, other=20))
    one = history.figures(["l1"])
    assert one.rps_series == (50.0, 100.0)
    assert one.eps_series == (5.0, 0.0)
    assert one.rps == pytest.approx(75.0)
    assert one.error_ratio == pytest.approx(10 / 300)
    assert one.requests == 300
    assert 0.0005 < one.p50 <= 0.001
    assert 0.025 < one.p95 <= 0.1
    both = history.figures(["l1", "l2"])
    assert both.rps_series == (60.0, 100.0)
    # a listener counting from zero again (recreated) is not a negative rate
    history.add(6.0, metrics(30, 0, 30))
    assert history.figures(["l1"]).rps_series[-1] == 15.0
    # the window: only the recent frames count for the "now" figures
    assert history.figures(["l1"], window=2.0).rps == 15.0


def test_sparkline_points_share_one_scale() -> None:
    assert _spark.points([], 1.0) == ""
    s = _spark.spark([0.0, 10.0, 5.0], [0.0, 0.0, 5.0])
    assert s.peak == 10.0
    assert s.main == "0.0,26.0 60.0,2.0 120.0,14.0"
    assert s.errors == "0.0,26.0 60.0,26.0 120.0,14.0"
    flat = _spark.spark([0.0], [0.0])
    assert flat.main == "0.0,26.0 120.0,26.0"
    assert _spark.spark([], []).empty


def test_sessions_expire_and_end() -> None:
    now = [1000.0]
    sessions = _session.Sessions(lambda t: t == "right", clock=lambda: now[0])
    assert sessions.login("wrong") is None
    sid = sessions.login("right")
    assert sid is not None
    found = sessions.get(sid)
    assert found is not None
    assert len(found.csrf) > 30
    assert sessions.get(sid + "x") is None
    assert sessions.get("x" * 500) is None
    now[0] += _session.IDLE - 1
    assert sessions.get(sid) is not None  # used: the idle time starts again
    now[0] += _session.IDLE + 1
    assert sessions.get(sid) is None
    other = sessions.login("right")
    sessions.logout(other)
    assert sessions.get(other) is None
    assert len(sessions) == 0


def test_sessions_are_bounded() -> None:
    sessions = _session.Sessions(lambda t: True)
    first = sessions.login("t")
    for _ in range(_session.LIMIT):
        sessions.login("t")
    assert len(sessions) == _session.LIMIT
    assert sessions.get(first) is None


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, "/"),
        ("", "/"),
        ("/builds?project=a", "/builds?project=a"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("/x\r\nSet-Cookie: a=b", "/"),
    ],
)
def test_only_local_paths_after_login(given: str | None, expected: str) -> None:
    assert _session.local_path(given) == expected


def test_csrf_comparison() -> None:
    assert _session.same("abc", "abc")
    assert not _session.same("abc", "abd")
    assert not _session.same("", "")
    assert not _session.same(None, "abc")


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, "—"), (0.25, "250ms"), (12.4, "12s"), (185, "3m 05s"), (7440, "2h 04m")],
)
def test_durations(value: float | None, text: str) -> None:
    assert _fmt.duration(value) == text


def test_formatting() -> None:
    assert _fmt.tone("SUCCEEDED") == "ok"
    assert _fmt.tone("FAULT") == "bad"
    assert _fmt.tone("IN_PROGRESS") == "run"
    assert _fmt.tone("STOPPED") == "idle"
    assert _fmt.tone(None) == "idle"
    assert _fmt.rate(0) == "0"
    assert _fmt.rate(3.14) == "3.1"
    assert _fmt.rate(123.4) == "123"
    assert _fmt.rate(4321) == "4.3k"
    assert _fmt.percent(0) == "0%"
    assert _fmt.percent(0.0001) == "<0.1%"
    assert _fmt.percent(0.125) == "12.5%"
    assert _fmt.short("a" * 40) == "aaaaaaa"
    assert _fmt.short("main") == "main"
    assert _fmt.link("https://x.example/b") == "https://x.example/b"
    for bad in ("javascript:alert(1)", "data:text/html,x", "JAVASCRIPT:x", "/relative", None):
        assert _fmt.link(bad) == ""
    assert _fmt.seconds_between("2024-01-01T00:00:00Z", "2024-01-01T00:01:30.500Z") == 90.5
    assert _fmt.seconds_between("nonsense", None) is None
    assert _fmt.ago(None) == "—"


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"status": "DONE"}, "status"),
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"project": "a\x00b"}, "project"),
        ({"project": "x" * 300}, "project"),
    ],
)
def test_bad_query_parameters_are_named(params: dict[str, str], named: str) -> None:
    q = _params.Query(params)

    def read_all() -> None:
        q.status()
        q.limit()
        q.text("project")

    with pytest.raises(PageError) as caught:
        read_all()
    assert caught.value.status == 400
    assert caught.value.parameter == named


def test_good_query_parameters() -> None:
    q = _params.Query({"status": "FAILED", "limit": "5", "project": "site", "offset": "12"})
    assert (q.status(), q.limit(), q.text("project"), q.offset(None)) == ("FAILED", 5, "site", 12)
    assert q.offset("40") == 40
    with pytest.raises(PageError) as caught:
        q.offset("x")
    assert caught.value.parameter == "Last-Event-ID"
    assert _params.Query({}).limit() == _params.DEFAULT_LIMIT


def test_states_list_resources_or_say_why_not(tmp_path: Path) -> None:
    root = tmp_path / "state"
    (root / "site" / "terraform").mkdir(parents=True)
    (root / "site" / "terraform" / _states.STATE_FILE).write_text(
        '{"version": 4, "serial": 3, "lineage": "l", "terraform_version": "1.9.0", "outputs": '
        '{"url": {"value": "http://x", "type": "string"}, "pw": {"value": "s", "type": "string",'
        ' "sensitive": true}}, "resources": [{"mode": "managed", "type": "aws_lb", "name": "web",'
        ' "provider": "provider[\\"registry.terraform.io/hashicorp/aws\\"]", "instances": '
        '[{"index_key": 1, "attributes": {"arn": "a1"}}, {"index_key": 0, "attributes": '
        '{"arn": "a0"}}]}, {"mode": "data", "type": "aws_ami", "name": "x", "provider": '
        '"provider[\\"registry.terraform.io/hashicorp/aws\\"]", "instances": [{"attributes": {}}]}]}'
    )
    (root / "broken" / "env" / "prod").mkdir(parents=True)
    (root / "broken" / "env" / "prod" / _states.STATE_FILE).write_text('{"version": 2}')
    files = _states.StateFiles(root)
    broken, site = files.all()
    assert (broken.project, broken.key) == ("broken", "env/prod")
    assert "the state broken/env/prod" in broken.error
    assert not broken.resources
    assert (site.serial, site.outputs) == (3, {"url": "http://x", "pw": "(sensitive)"})
    assert [r.address for r in site.resources] == [
        "aws_lb.web[0]",
        "aws_lb.web[1]",
        "data.aws_ami.x",
    ]
    assert [r.address for r in site.of_type("aws_lb")] == ["aws_lb.web[0]", "aws_lb.web[1]"]
    assert files.all()[1] is site  # unchanged file: not read again
    assert files.of_project("nothing") == []
    assert _states.StateFiles(tmp_path / "none").all() == []


def refresh(group: str, status: str, started: str, pct: int, reason: str = "") -> dict[str, object]:
    return {
        "auto_scaling_group_name": group,
        "status": status,
        "started_at": started,
        "percentage_complete": pct,
        "status_reason": reason,
    }


def test_the_rollout_is_the_refresh_that_started_while_the_build_ran() -> None:
    one = {"id": "1", "start_time": "2024-05-01T10:00:00.000Z", "end_time": "2024-05-01T10:05:00Z"}
    two = {"id": "2", "start_time": "2024-05-01T10:05:02.000Z", "end_time": "2024-05-01T10:09:00Z"}
    queued = {"id": "3", "start_time": None, "end_time": None}
    before = refresh("web", "Successful", "2024-05-01T09:00:00.000Z", 100)
    during = refresh("web", "InProgress", "2024-05-01T10:03:00.000Z", 50)
    late = refresh("api", "Failed", "2024-05-01T10:05:01.000Z", 0, "i-1 never healthy")
    second = refresh("web", "Successful", "2024-05-01T10:05:03.000Z", 100)
    found = _timeline.assign([one, two, queued], [before, during, late, second])
    # just after build 1 ended, before 2 began: still 1's; once 2 runs, 2's
    assert found == {"1": [during, late], "2": [second]}
    step = _timeline.rollout(found["1"])
    assert step.tone == "bad"
    assert step.text == "web: InProgress 50%; api: Failed 0% (i-1 never healthy)"
    assert _timeline.rollout([during]) == _timeline.Step("web: InProgress 50%", "run")
    assert _timeline.rollout(found["2"]) == _timeline.Step("web: Successful 100%", "ok")
    assert _timeline.rollout([]) == _timeline.NONE


def test_the_commit_of_a_build() -> None:
    assert _timeline.commit_of({"resolved_source_version": "abc", "trigger": None}) == "abc"
    queued = {"resolved_source_version": "", "trigger": {"commit": "def"}, "want": {"sha": ""}}
    assert _timeline.commit_of(queued) == "def"
    assert _timeline.commit_of({"resolved_source_version": "", "trigger": None}) == ""
