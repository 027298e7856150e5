"""Live infrastructure views: auto scaling groups with their instances and target health,
balancers with their URL and figures, and the resources each project's state manages.

Views are frozen dataclasses made from the services' own reads (the same documents the API
returns) and the balancer figures of :mod:`._rates`; an object a state names but the cloud no
longer has is shown as missing (drift), not hidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gitterra.cloud import CloudError, Doc
from gitterra.server.dashboard import _rates, _spark, _states
from gitterra.server.dashboard._context import Context


@dataclass(frozen=True, slots=True)
class TargetView:
    target_group: str
    state: str
    reason: str


@dataclass(frozen=True, slots=True)
class InstanceView:
    id: str
    lifecycle: str
    health: str
    state: str
    targets: tuple[TargetView, ...]

    @property
    def healthy(self) -> bool:
        return (
            self.lifecycle == "InService"
            and self.health == "Healthy"
            and all(t.state == "healthy" for t in self.targets)
        )

    @property
    def tone(self) -> str:
        if self.healthy:
            return "ok"
        if self.lifecycle == "Terminating" or any(t.state == "draining" for t in self.targets):
            return "idle"
        if self.health == "Unhealthy" or any(t.state == "unhealthy" for t in self.targets):
            return "bad"
        return "run"


@dataclass(frozen=True, slots=True)
class GroupView:
    name: str
    desired: int
    min_size: int
    max_size: int
    instances: tuple[InstanceView, ...]
    target_groups: tuple[str, ...]
    refresh: Doc | None
    restarts: int

    @property
    def in_service(self) -> int:
        return sum(1 for i in self.instances if i.lifecycle == "InService")

    @property
    def healthy(self) -> int:
        return sum(1 for i in self.instances if i.healthy)

    @property
    def tone(self) -> str:
        return "ok" if self.healthy >= self.desired else "bad" if self.healthy == 0 else "run"


@dataclass(frozen=True, slots=True)
class ListenerView:
    arn: str
    port: int
    url: str
    figures: _rates.Figures


@dataclass(frozen=True, slots=True)
class BalancerView:
    name: str
    arn: str
    dns_name: str
    listeners: tuple[ListenerView, ...]
    figures: _rates.Figures
    spark: _spark.Spark

    @property
    def url(self) -> str:
        return self.listeners[0].url if self.listeners else ""


@dataclass(frozen=True, slots=True)
class TargetGroupView:
    name: str
    arn: str
    targets: tuple[Doc, ...]


@dataclass(frozen=True, slots=True)
class ResourceRow:
    """A resource of a state; ``kind`` says which live view ``live`` is (or ``other``)."""

    address: str
    type: str
    kind: str
    live: Any
    missing: bool


@dataclass(frozen=True, slots=True)
class ProjectInfra:
    state: _states.StateFile
    rows: tuple[ResourceRow, ...]


# -- groups -------------------------------------------------------------------------------


def groups(ctx: Context) -> list[GroupView]:
    svc = ctx.autoscaling
    if svc is None:
        return []
    names = [d["name"] for d in svc.groups.find()]
    return [v for v in (group(ctx, n) for n in names) if v is not None]


def group(ctx: Context, name: str) -> GroupView | None:
    svc = ctx.autoscaling
    if svc is None:
        return None
    try:
        doc = svc.groups.get(name)
        refreshes = svc.refreshes.find(name)
    except CloudError:
        return None
    health, tg_names = _target_health(ctx, doc["target_group_arns"])
    instances = tuple(
        InstanceView(
            m["id"],
            m["lifecycle_state"],
            m["health_status"],
            _instance_state(ctx, m["id"]),
            tuple(
                TargetView(tg_names[arn], *health[arn].get(m["id"], ("unused", "")))
                for arn in doc["target_group_arns"]
                if arn in health
            ),
        )
        for m in doc["instances"]
    )
    return GroupView(
        name=doc["name"],
        desired=int(doc["desired_capacity"]),
        min_size=int(doc["min_size"]),
        max_size=int(doc["max_size"]),
        instances=instances,
        target_groups=tuple(tg_names.values()),
        refresh=refreshes[0] if refreshes else None,
        restarts=ctx.restarts.by_group().get(doc["name"], 0),
    )


def _target_health(
    ctx: Context, arns: list[str]
) -> tuple[dict[str, dict[str, tuple[str, str]]], dict[str, str]]:
    elb = ctx.elb
    health: dict[str, dict[str, tuple[str, str]]] = {}
    names: dict[str, str] = {}
    if elb is None:
        return health, names
    for arn in arns:
        try:
            names[arn] = elb.target_groups.get(arn)["name"]
            items = elb.target_groups.describe(arn)
        except CloudError:
            continue
        health[arn] = {t["id"]: (t["state"], t["reason"]) for t in items}
    return health, names


def _instance_state(ctx: Context, instance_id: str) -> str:
    compute = ctx.compute
    if compute is None:
        return ""
    try:
        return str(compute.get(instance_id).get("state", ""))
    except CloudError:
        return ""


# -- balancers ----------------------------------------------------------------------------


def balancers(ctx: Context) -> list[BalancerView]:
    elb = ctx.elb
    if elb is None:
        return []
    return [balancer_of(ctx, doc) for doc in sorted(elb.balancers.find(), key=lambda d: d["name"])]


def balancer(ctx: Context, arn: str) -> BalancerView | None:
    elb = ctx.elb
    if elb is None:
        return None
    try:
        return balancer_of(ctx, elb.balancers.get(arn))
    except CloudError:
        return None


def balancer_of(ctx: Context, doc: Doc) -> BalancerView:
    elb = ctx.elb
    found = elb.listeners.find(doc["arn"]) if elb is not None else []
    listeners = tuple(
        ListenerView(
            d["arn"], int(d["port"]), str(d.get("url", "")), ctx.history.figures([d["arn"]])
        )
        for d in sorted(found, key=lambda d: d["port"])
    )
    figures = ctx.history.figures([lst.arn for lst in listeners])
    return BalancerView(
        name=doc["name"],
        arn=doc["arn"],
        dns_name=str(doc.get("dns_name", "")),
        listeners=listeners,
        figures=figures,
        spark=_spark.spark(figures.rps_series, figures.eps_series),
    )


def listener(ctx: Context, arn: str) -> ListenerView | None:
    elb = ctx.elb
    if elb is None:
        return None
    try:
        doc = elb.listeners.get(arn)
    except CloudError:
        return None
    return ListenerView(arn, int(doc["port"]), str(doc.get("url", "")), ctx.history.figures([arn]))


def target_group(ctx: Context, arn: str) -> TargetGroupView | None:
    elb = ctx.elb
    if elb is None:
        return None
    try:
        doc = elb.target_groups.get(arn)
        return TargetGroupView(doc["name"], arn, tuple(elb.target_groups.describe(arn)))
    except CloudError:
        return None


# -- what the states manage ---------------------------------------------------------------


def from_states(ctx: Context, states: list[_states.StateFile]) -> list[ProjectInfra]:
    return [ProjectInfra(s, tuple(_row(ctx, r) for r in s.resources)) for s in states]


def _row(ctx: Context, res: _states.Managed) -> ResourceRow:
    attrs = res.attributes
    live: Any = None
    kind = "other"
    if res.mode != "managed":
        return ResourceRow(res.address, res.type, "data", None, False)
    if res.type == "aws_autoscaling_group":
        kind, live = "group", group(ctx, str(attrs.get("name") or attrs.get("id") or ""))
    elif res.type in ("aws_lb", "aws_alb"):
        kind, live = "balancer", balancer(ctx, str(attrs.get("arn") or attrs.get("id") or ""))
    elif res.type in ("aws_lb_listener", "aws_alb_listener"):
        kind, live = "listener", listener(ctx, str(attrs.get("arn") or attrs.get("id") or ""))
    elif res.type in ("aws_lb_target_group", "aws_alb_target_group"):
        arn = str(attrs.get("arn") or attrs.get("id") or "")
        kind, live = "target_group", target_group(ctx, arn)
    return ResourceRow(res.address, res.type, kind, live, kind != "other" and live is None)


def group_names(states: list[_states.StateFile]) -> list[str]:
    """The auto scaling groups these states manage."""
    return [
        str(r.attributes.get("name") or r.attributes.get("id") or "")
        for s in states
        for r in s.of_type("aws_autoscaling_group")
    ]
