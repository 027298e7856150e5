"""The controller's pure decisions: scaling, replacement, termination policies and rolling
refresh steps, as tables of (situation, expected decision)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from gitterra.cloud.autoscaling._decide import (
    Decision,
    GroupView,
    Lifecycle,
    Member,
    RefreshView,
    decide,
)
from gitterra.cloud.autoscaling._termination import Config, choose

NOW = 100_000.0
V1 = Config(template_id="lt-1", version=1, age=1)
V2 = Config(template_id="lt-1", version=2, age=2)
LC = Config(configuration="old-lc", age=5)


def member(name: str, config: Config = V1, **over: Any) -> Member:
    base = Member(
        id=name,
        lifecycle=Lifecycle.IN_SERVICE,
        config=config,
        launched_at=NOW - 1000,
        in_service_at=NOW - 900,
        instance_state="running",
        elb="healthy",
    )
    return replace(base, **over)


def group(desired: int = 2, config: Config = V1, **over: Any) -> GroupView:
    return replace(GroupView("web", desired, config, health_check_type="ELB", grace=60), **over)


def refresh(
    replace_ids: set[str], min_pct: int = 90, max_pct: int = 100, **over: Any
) -> RefreshView:
    base = RefreshView(
        "r-1", frozenset(replace_ids), frozenset(), min_pct, max_pct, warmup=10, allowance=100
    )
    return replace(base, **over)


def retired(d: Decision) -> list[str]:
    return sorted(r.id for r in d.retire)


SCALING = [
    ("steady", group(), [member("a"), member("b")], 0, []),
    ("scale out", group(desired=4), [member("a"), member("b")], 2, []),
    ("pending counts", group(), [member("a"), member("b", lifecycle=Lifecycle.PENDING)], 0, []),
    (
        "terminating does not",
        group(),
        [member("a"), member("b", lifecycle=Lifecycle.TERMINATING)],
        1,
        [],
    ),
    (
        "crashed replaced",
        group(),
        [member("a"), member("b", instance_state="terminated")],
        1,
        ["b"],
    ),
    (
        "ec2 unhealthy replaced",
        group(),
        [member("a"), member("b", ec2_healthy=False)],
        1,
        ["b"],
    ),
    (
        "elb unhealthy after grace",
        group(),
        [member("a"), member("b", elb="unhealthy", in_service_at=NOW - 61)],
        1,
        ["b"],
    ),
    (
        "elb unhealthy within grace kept",
        group(),
        [member("a"), member("b", elb="unhealthy", in_service_at=NOW - 59)],
        0,
        [],
    ),
    (
        "EC2 checks ignore the balancer",
        group(health_check_type="EC2"),
        [member("a"), member("b", elb="unhealthy")],
        0,
        [],
    ),
    (
        "scale in: oldest template version first",
        group(desired=1, config=V2),
        [member("a", V2), member("b", V1)],
        0,
        ["b"],
    ),
    (
        "scale in: launch configurations before templates",
        group(desired=2, config=V2),
        [member("a", V1), member("b", LC), member("c", V2)],
        0,
        ["b"],
    ),
    (
        "scale in: not-ready instances before serving ones",
        group(desired=2),
        [member("a"), member("b"), member("c", elb="initial")],
        0,
        ["c"],
    ),
    (
        "scale in: closest to the next instance hour",
        group(desired=1),
        [member("a", launched_at=NOW - 3500), member("b", launched_at=NOW - 3000)],
        0,
        ["a"],
    ),
    (
        "deleting retires everything",
        group(deleting=True),
        [member("a"), member("b", lifecycle=Lifecycle.PENDING)],
        0,
        ["a", "b"],
    ),
]


@pytest.mark.parametrize(
    ("case", "view", "members", "launch", "retire"), SCALING, ids=[c[0] for c in SCALING]
)
def test_scaling(
    case: str, view: GroupView, members: list[Member], launch: int, retire: list[str]
) -> None:
    d = decide(view, members, None, NOW)
    assert (d.launch, retired(d)) == (launch, retire), case


def test_running_pending_members_are_registered() -> None:
    d = decide(
        group(),
        [
            member("a", lifecycle=Lifecycle.PENDING),
            member("b", lifecycle=Lifecycle.PENDING, instance_state="pending"),
        ],
        None,
        NOW,
    )
    assert d.register == ("a",)


@pytest.mark.parametrize(
    ("policies", "victim"),
    [
        (("OldestInstance",), "old"),
        (("NewestInstance",), "new"),
        (("OldestLaunchConfiguration",), "lc"),
        (("OldestLaunchTemplate",), "v1"),
        (("ClosestToNextInstanceHour",), "hour"),
        (("AllocationStrategy",), "lc"),  # no effect: Default decides
    ],
)
def test_termination_policies(policies: tuple[str, ...], victim: str) -> None:
    candidates = [
        member("old", V2, launched_at=NOW - 9000),
        member("new", V2, launched_at=NOW - 10),
        member("lc", LC, launched_at=NOW - 5000),
        member("v1", V1, launched_at=NOW - 4000),
        member("hour", V2, launched_at=NOW - 3599),
    ]
    chosen = choose(candidates, 1, policies, V2, NOW, ready=lambda m: True)
    assert [c.id for c in chosen] == [victim]


# -- refresh --------------------------------------------------------------------------------


def new(name: str, **over: Any) -> Member:
    """An instance launched by the refresh (20 s ago, warm: in service for 15 s)."""
    return member(name, V2, **{"launched_at": NOW - 20, "in_service_at": NOW - 15, **over})


def test_refresh_surge_launches_up_to_max_and_keeps_old_until_new_are_ready() -> None:
    old = [member("a"), member("b")]
    d = decide(group(config=V2), old, refresh({"a", "b"}, 100, 200), NOW)
    assert (d.launch, retired(d), d.refresh and d.refresh.status) == (2, [], "InProgress")
    booting = [*old, new("c", lifecycle=Lifecycle.PENDING), new("d", lifecycle=Lifecycle.PENDING)]
    d = decide(group(config=V2), booting, refresh({"a", "b"}, 100, 200), NOW)
    assert (d.launch, retired(d)) == (0, [])
    one_ready = [*old, new("c"), new("d", elb="initial")]
    d = decide(group(config=V2), one_ready, refresh({"a", "b"}, 100, 200), NOW)
    assert (d.launch, len(d.retire)) == (0, 1)
    assert d.refresh is not None
    assert d.refresh.percentage == 0


def test_refresh_warmup_delays_counting_a_new_instance() -> None:
    members = [member("a"), member("b"), new("c", in_service_at=NOW - 5), new("d")]
    d = decide(group(config=V2), members, refresh({"a", "b"}, 100, 200), NOW)
    assert len(d.retire) == 1  # only d is warm (warmup 10)


def test_refresh_min_and_max_100_replace_one_at_a_time() -> None:
    old = [member("a"), member("b"), member("c")]
    d = decide(group(desired=3, config=V2), old, refresh({"a", "b", "c"}, 100, 100), NOW)
    assert (d.launch, len(d.retire)) == (0, 1)
    draining = [replace(old[0], lifecycle=Lifecycle.TERMINATING), *old[1:]]
    d = decide(group(desired=3, config=V2), draining, refresh({"a", "b", "c"}, 100, 100), NOW)
    assert (d.launch, len(d.retire)) == (1, 0)


def test_refresh_min_healthy_rounds_up() -> None:
    old = [member(str(i)) for i in range(10)]
    d = decide(group(desired=10, config=V2), old, refresh({m.id for m in old}, 90, 100), NOW)
    assert (d.launch, len(d.retire)) == (0, 1)  # 90% of 10 = 9 stay
    d = decide(group(desired=10, config=V2), old, refresh({m.id for m in old}, 50, 100), NOW)
    assert len(d.retire) == 5


def test_refresh_succeeds_once_every_old_instance_is_gone() -> None:
    members = [new("c"), new("d"), member("a", lifecycle=Lifecycle.TERMINATING)]
    d = decide(group(config=V2), members, refresh({"a", "b"}), NOW)
    assert d.refresh is not None
    assert d.refresh.status == "InProgress"
    d = decide(group(config=V2), members[:2], refresh({"a", "b"}), NOW)
    assert d.refresh is not None
    assert (d.refresh.status, d.refresh.percentage) == ("Successful", 100)


def test_refresh_fails_for_a_late_new_instance_and_scales_back_without_it() -> None:
    members = [member("a"), member("b"), new("c", elb="initial", launched_at=NOW - 101), new("d")]
    d = decide(group(config=V2), members, refresh({"a", "b"}, 100, 200), NOW)
    assert d.refresh is not None
    assert d.refresh.status == "Failed"
    assert "new instance c did not become healthy within 100s" in d.refresh.reason
    assert "initial in its target groups" in d.refresh.reason
    # back to rule 3: the one not ready goes first, then the Default policy's choice
    assert retired(d) == ["a", "c"]


def test_refresh_fails_when_a_new_instance_dies_unless_forgiven() -> None:
    members = [member("a"), member("b"), new("c", instance_state="terminated"), new("d")]
    d = decide(group(config=V2), members, refresh({"a", "b"}, 100, 200), NOW)
    assert d.refresh is not None
    assert d.refresh.status == "Failed"
    d = decide(
        group(config=V2), members, refresh({"a", "b"}, 100, 200, forgiven=frozenset("c")), NOW
    )
    assert d.refresh is not None
    assert d.refresh.status == "InProgress"
