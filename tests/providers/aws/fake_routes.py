"""The fake cloud's routes (see fake_cloud.py): one small handler per endpoint."""

from __future__ import annotations

import copy
from typing import Any

import httpx

from tests.providers.aws.fake_cloud import (
    ACCOUNT,
    IMAGES,
    NAME,
    REGION,
    SUBNETS,
    VPC,
    ApiFault,
    FakeCloud,
    Handler,
    bad,
    cb_groups,
    cb_project,
    check_base64,
    glob,
    missing,
)

HEALTH = {
    "enabled": True, "path": "/", "port": "traffic-port", "protocol": "HTTP", "interval": 30,
    "timeout": 5, "healthy_threshold": 5, "unhealthy_threshold": 2, "matcher": "200",
}  # fmt: skip


def only(body: dict[str, Any] | None, allowed: tuple[str, ...]) -> dict[str, Any]:
    body = body or {}
    for key in body:
        if key not in allowed:
            raise bad(f"unknown field {key}", key)
    return body


def rules(value: Any, field: str, previous: list[dict[str, Any]], fake: FakeCloud) -> list[Any]:
    out = []
    for i, rule in enumerate(value or []):
        if rule.get("protocol") not in ("tcp", "-1"):
            raise bad("protocol must be tcp or -1", f"{field}.{i}.protocol")
        clean = {
            "protocol": rule["protocol"],
            "from_port": 0 if rule["protocol"] == "-1" else rule.get("from_port"),
            "to_port": 0 if rule["protocol"] == "-1" else rule.get("to_port"),
            "cidr_blocks": list(rule.get("cidr_blocks") or []),
            "description": rule.get("description") or "",
        }
        kept = next((r["id"] for r in previous if _same(r, clean)), None)
        out.append({"id": kept or fake.new_id("sgr"), **clean})
    return out


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    keys = ("protocol", "from_port", "to_port")
    return all(a[k] == b[k] for k in keys) and sorted(a["cidr_blocks"]) == sorted(b["cidr_blocks"])


def routes(f: FakeCloud) -> list[tuple[str, str, Handler]]:
    return [
        ("GET", "meta", lambda r, b, p: {
            "region": REGION, "account_id": ACCOUNT,
            "availability_zones": ["local-1a", "local-1b"], "endpoint": "http://fake"}),
        ("GET", "vpcs", lambda r, b, p: {"items": [
            {"id": VPC, "cidr_block": "127.0.0.0/8", "is_default": True, "tags": {}}]}),
        ("GET", "subnets", lambda r, b, p: {"items": [
            s for s in SUBNETS if r.url.params.get("vpc_id") in (None, s["vpc_id"])]}),
        ("GET", "images", lambda r, b, p: {"items": [
            i for i in IMAGES if glob(i["name"], r.url.params.get("name"))]}),
        *_ec2(f),
        *_launch(f),
        *_asg(f),
        *_elb(f),
        *_logs(f),
        *_codebuild(f),
    ]  # fmt: skip


def _get(table: dict[str, dict[str, Any]], key: str, what: str) -> dict[str, Any]:
    if key not in table:
        raise missing(f"{what} {key}")
    return table[key]


def _delete(table: dict[str, dict[str, Any]], key: str, what: str) -> None:
    _get(table, key, what)
    del table[key]


def _ec2(f: FakeCloud) -> list[tuple[str, str, Handler]]:
    def create_group(r: httpx.Request, b: Any, p: list[str]) -> Any:
        b = only(b, ("name", "description", "vpc_id", "ingress", "egress", "tags"))
        if not b.get("name"):
            raise bad("name is required", "name")
        if any(g["name"] == b["name"] for g in f.groups.values()):
            raise ApiFault(409, "Conflict", f"a security group named {b['name']} exists", "name")
        if b.get("vpc_id") not in (None, VPC):
            raise ApiFault(404, "NotFound", "no such VPC", "vpc_id")
        gid = f.new_id("sg")
        f.groups[gid] = {
            "id": gid, "arn": f.arn("ec2", f"security-group/{gid}"), "name": b["name"],
            "description": b.get("description") or "", "vpc_id": VPC,
            "ingress": rules(b.get("ingress"), "ingress", [], f),
            "egress": rules(b.get("egress"), "egress", [], f), "tags": b.get("tags") or {},
        }  # fmt: skip
        return f.groups[gid]

    def update_group(r: httpx.Request, b: Any, p: list[str]) -> Any:
        g = _get(f.groups, p[1], "security group")
        b = only(b, ("ingress", "egress", "tags"))
        for kind in ("ingress", "egress"):
            if kind in b:
                g[kind] = rules(b[kind], kind, g[kind], f)
        if "tags" in b:
            g["tags"] = b["tags"]
        return g

    def delete_group(r: httpx.Request, b: Any, p: list[str]) -> Any:
        g = _get(f.groups, p[1], "security group")
        users = [lb["name"] for lb in f.lbs.values() if g["id"] in lb["security_group_ids"]]
        if users:
            raise ApiFault(409, "Conflict", f"security group {g['id']} is in use by {users}")
        del f.groups[p[1]]

    def add_rule(r: httpx.Request, b: Any, p: list[str]) -> Any:
        g = _get(f.groups, p[1], "security group")
        rule = rules([b], "rule", [], f)[0]
        if any(_same(x, rule) for x in g["ingress"]):
            raise ApiFault(409, "Conflict", "the group already has this rule")
        g["ingress"].append(rule)
        return {**rule, "security_group_id": g["id"]}

    def delete_rule(r: httpx.Request, b: Any, p: list[str]) -> Any:
        g = _get(f.groups, p[1], "security group")
        kept = [x for x in g["ingress"] if x["id"] != p[3]]
        if len(kept) == len(g["ingress"]):
            raise missing(f"rule {p[3]}")
        g["ingress"] = kept

    def create_key(r: httpx.Request, b: Any, p: list[str]) -> Any:
        b = only(b, ("name", "public_key", "tags"))
        if not str(b.get("public_key", "")).startswith(("ssh-rsa ", "ssh-ed25519 ")):
            raise bad("public_key is not an OpenSSH public key", "public_key")
        kid = f.new_id("key")
        f.keys[kid] = {
            "id": kid, "arn": f.arn("ec2", f"key-pair/{b['name']}"), "name": b["name"],
            "public_key": b["public_key"].strip(), "fingerprint": "aa:bb",
            "key_type": "ed25519" if b["public_key"].startswith("ssh-ed25519") else "rsa",
            "tags": b.get("tags") or {},
        }  # fmt: skip
        return f.keys[kid]

    def update_key(r: httpx.Request, b: Any, p: list[str]) -> Any:
        k = _get(f.keys, p[1], "key pair")
        k["tags"] = only(b, ("tags",)).get("tags", k["tags"])
        return k

    return [
        ("POST", "security-groups", create_group),
        ("GET", "security-groups", lambda r, b, p: {"items": list(f.groups.values())}),
        ("GET", "security-groups/*", lambda r, b, p: _get(f.groups, p[1], "security group")),
        ("PATCH", "security-groups/*", update_group),
        ("DELETE", "security-groups/*", delete_group),
        ("POST", "security-groups/*/ingress-rules", add_rule),
        ("DELETE", "security-groups/*/ingress-rules/*", delete_rule),
        ("POST", "key-pairs", create_key),
        ("GET", "key-pairs", lambda r, b, p: {"items": list(f.keys.values())}),
        ("GET", "key-pairs/*", lambda r, b, p: _get(f.keys, p[1], "key pair")),
        ("PATCH", "key-pairs/*", update_key),
        ("DELETE", "key-pairs/*", lambda r, b, p: _delete(f.keys, p[1], "key pair")),
    ]


_VERSION = ("image_id", "instance_type", "user_data", "security_group_ids", "key_name")


def _version(b: dict[str, Any], number: int) -> dict[str, Any]:
    for name in ("image_id", "instance_type"):
        if not b.get(name):
            raise bad(f"{name} is required", name)
    if not str(b["image_id"]).startswith("ami-"):
        raise ApiFault(404, "NotFound", f"no image {b['image_id']}", "image_id")
    check_base64(b.get("user_data"), "user_data")
    v = {k: b.get(k) for k in _VERSION}
    v["security_group_ids"] = v["security_group_ids"] or []
    return {"version_number": number, **v, "tags": {}}


def _launch(f: FakeCloud) -> list[tuple[str, str, Handler]]:
    def create_template(r: httpx.Request, b: Any, p: list[str]) -> Any:
        b = only(b, ("name", *_VERSION, "tags"))
        if any(t["name"] == b["name"] for t in f.templates.values()):
            raise ApiFault(409, "Conflict", "name taken", "name")
        tid = f.new_id("lt")
        f.templates[tid] = {
            "id": tid, "arn": f.arn("ec2", f"launch-template/{tid}"), "name": b["name"],
            "default_version": 1, "latest_version": 1, "tags": b.get("tags") or {},
            "versions": [_version(b, 1)],
        }  # fmt: skip
        return f.templates[tid]

    def add_version(r: httpx.Request, b: Any, p: list[str]) -> Any:
        t = _get(f.templates, p[1], "launch template")
        t["latest_version"] += 1
        t["versions"].append(_version(only(b, _VERSION), t["latest_version"]))
        return t

    def update_template(r: httpx.Request, b: Any, p: list[str]) -> Any:
        t = _get(f.templates, p[1], "launch template")
        b = only(b, ("default_version", "tags"))
        if "default_version" in b:
            if not 1 <= b["default_version"] <= t["latest_version"]:
                raise bad("no such version", "default_version")
            t["default_version"] = b["default_version"]
        t["tags"] = b.get("tags", t["tags"])
        return t

    def create_config(r: httpx.Request, b: Any, p: list[str]) -> Any:
        b = only(b, ("name", *_VERSION))
        if b["name"] in f.configs:
            raise ApiFault(409, "Conflict", "name taken", "name")
        v = _version(b, 1)
        f.configs[b["name"]] = {
            "name": b["name"], "arn": f.arn("autoscaling", f"launchConfiguration:{b['name']}"),
            **{k: v[k] for k in _VERSION},
        }  # fmt: skip
        return f.configs[b["name"]]

    def delete_config(r: httpx.Request, b: Any, p: list[str]) -> Any:
        _get(f.configs, p[1], "launch configuration")
        if any(g["launch_configuration"] == p[1] for g in f.asgs.values()):
            raise ApiFault(409, "Conflict", f"launch configuration {p[1]} is in use")
        del f.configs[p[1]]

    return [
        ("POST", "launch-templates", create_template),
        ("GET", "launch-templates", lambda r, b, p: {"items": list(f.templates.values())}),
        ("GET", "launch-templates/*", lambda r, b, p: _get(f.templates, p[1], "template")),
        ("POST", "launch-templates/*/versions", add_version),
        ("PATCH", "launch-templates/*", update_template),
        ("DELETE", "launch-templates/*", lambda r, b, p: _delete(f.templates, p[1], "template")),
        ("POST", "launch-configurations", create_config),
        ("GET", "launch-configurations/*", lambda r, b, p: _get(f.configs, p[1], "config")),
        ("DELETE", "launch-configurations/*", delete_config),
    ]


_ASG = (
    "name", "min_size", "max_size", "desired_capacity", "launch_template",
    "launch_configuration", "target_group_arns", "vpc_zone_identifier", "health_check_type",
    "health_check_grace_period", "default_instance_warmup", "termination_policies", "tags",
)  # fmt: skip


def _asg(f: FakeCloud) -> list[tuple[str, str, Handler]]:
    def check(g: dict[str, Any]) -> None:
        if g["min_size"] > g["max_size"]:
            raise bad("min_size is more than max_size", "min_size")
        if not g["min_size"] <= g["desired_capacity"] <= g["max_size"]:
            raise bad("desired_capacity is outside [min_size, max_size]", "desired_capacity")
        lt = g.get("launch_template")
        if lt is not None and lt["id"] not in f.templates:
            raise ApiFault(404, "NotFound", f"no launch template {lt['id']}", "launch_template.id")

    def instances(g: dict[str, Any]) -> None:
        g["instances"] = [
            {"id": f"i-{g['name']}-{i}", "lifecycle_state": "InService", "health_status": "Healthy"}
            for i in range(g["desired_capacity"])
        ]

    def create(r: httpx.Request, b: Any, p: list[str]) -> Any:
        b = only(b, _ASG)
        if b["name"] in f.asgs:
            raise ApiFault(409, "Conflict", "name taken", "name")
        g = {
            "name": b["name"], "arn": f.arn("autoscaling", f"autoScalingGroup:x:{b['name']}"),
            "desired_capacity": b.get("desired_capacity", b["min_size"]),
            "launch_template": None, "launch_configuration": None, "target_group_arns": [],
            "vpc_zone_identifier": [SUBNETS[0]["id"]], "health_check_type": "EC2",
            "health_check_grace_period": 300, "default_instance_warmup": None,
            "termination_policies": ["Default"], "status": None, "tags": {},
        }  # fmt: skip
        g.update({k: v for k, v in b.items() if v is not None})
        check(g)
        instances(g)
        f.asgs[b["name"]] = g
        return g

    def update(r: httpx.Request, b: Any, p: list[str]) -> Any:
        g = _get(f.asgs, p[1], "group")
        new = {**copy.deepcopy(g), **only(b, _ASG[1:])}
        if "min_size" in b or "max_size" in b:
            new["desired_capacity"] = min(
                max(new["desired_capacity"], new["min_size"]), new["max_size"]
            )
        check(new)
        instances(new)
        f.asgs[p[1]] = new
        return new

    def capacity(r: httpx.Request, b: Any, p: list[str]) -> Any:
        g = _get(f.asgs, p[1], "group")
        seen = f._capacity_seen.get(g["name"], 0)
        f._capacity_seen[g["name"]] = seen + 1
        ready = len(g["instances"]) if seen >= f.capacity_polls else 0
        healthy = ready if g["target_group_arns"] else 0
        return {
            "desired": g["desired_capacity"],
            "in_service": ready,
            "healthy_in_target_groups": healthy,
        }

    def delete(r: httpx.Request, b: Any, p: list[str]) -> Any:
        g = _get(f.asgs, p[1], "group")
        if g["instances"] and r.url.params.get("force_delete") != "true":
            raise ApiFault(409, "Conflict", "the group still has instances")
        del f.asgs[p[1]]

    def start_refresh(r: httpx.Request, b: Any, p: list[str]) -> Any:
        _get(f.asgs, p[1], "group")
        prefs = b.get("preferences") or {}
        if prefs.get("max_healthy_percentage", 100) - prefs.get("min_healthy_percentage", 90) > 100:
            raise bad("max may exceed min by at most 100", "preferences.max_healthy_percentage")
        items = f.refreshes.setdefault(p[1], [])
        if any(x["status"] in ("Pending", "InProgress") for x in items):
            raise ApiFault(409, "Conflict", "a refresh is in progress")
        refresh = {"id": f.new_id("ir"), "status": "Pending", "percentage_complete": 0,
                   "status_reason": None, "preferences": b["preferences"], "polls": 0}  # fmt: skip
        items.insert(0, refresh)
        return refresh

    def list_refreshes(r: httpx.Request, b: Any, p: list[str]) -> Any:
        items = f.refreshes.get(p[1], [])
        for x in items:
            if x["status"] in ("Pending", "InProgress"):
                x["polls"] += 1
                x["status"] = "InProgress"
                if x["polls"] > f.refresh_polls:
                    x["status"] = f.refresh_outcome
                    x["percentage_complete"] = 100 if f.refresh_outcome == "Successful" else 50
                    if f.refresh_outcome == "Failed":
                        x["status_reason"] = "new instances did not become healthy"
        return {"items": items}

    def cancel(r: httpx.Request, b: Any, p: list[str]) -> Any:
        active = [x for x in f.refreshes.get(p[1], []) if x["status"] in ("Pending", "InProgress")]
        if not active:
            raise missing("active refresh")
        active[0]["status"] = "Cancelled"

    return [
        ("POST", "autoscaling-groups", create),
        ("GET", "autoscaling-groups/*", lambda r, b, p: _get(f.asgs, p[1], "group")),
        ("PATCH", "autoscaling-groups/*", update),
        ("DELETE", "autoscaling-groups/*", delete),
        ("GET", "autoscaling-groups/*/capacity", capacity),
        ("POST", "autoscaling-groups/*/instance-refreshes", start_refresh),
        ("GET", "autoscaling-groups/*/instance-refreshes", list_refreshes),
        ("DELETE", "autoscaling-groups/*/instance-refreshes/current", cancel),
    ]


def _elb(f: FakeCloud) -> list[tuple[str, str, Handler]]:
    def create_lb(r: httpx.Request, b: Any, p: list[str]) -> Any:
        b = only(b, ("name", "internal", "load_balancer_type", "security_group_ids",
                     "subnet_ids", "idle_timeout", "tags"))  # fmt: skip
        if not NAME.match(b["name"]):
            raise bad("name: 1 to 32 letters, digits and hyphens", "name")
        for i, sg in enumerate(b.get("security_group_ids") or []):
            if sg not in f.groups:
                raise ApiFault(
                    404, "NotFound", f"no security group {sg}", f"security_group_ids.{i}"
                )
        arn = f.arn("elasticloadbalancing", f"loadbalancer/app/{b['name']}/{next(f._ids):016x}")
        f.lbs[arn] = {"arn": arn, "dns_name": f"{b['name']}-1.local-1.elb.localhost",
                      "state": "provisioning", "idle_timeout": 60, **b}  # fmt: skip
        return f.lbs[arn]

    def get_lb(r: httpx.Request, b: Any, p: list[str]) -> Any:
        lb = _get(f.lbs, p[1], "load balancer")
        lb["state"] = "active"
        return lb

    def patch(table: dict[str, dict[str, Any]], allowed: tuple[str, ...]) -> Handler:
        def handler(r: httpx.Request, b: Any, p: list[str]) -> Any:
            doc = _get(table, p[1], "object")
            doc.update(only(b, allowed))
            return doc

        return handler

    def create_listener(r: httpx.Request, b: Any, p: list[str]) -> Any:
        b = only(b, ("load_balancer_arn", "port", "protocol", "default_action", "tags"))
        _get(f.lbs, b["load_balancer_arn"], "load balancer")
        if any(x["port"] == b["port"] for x in f.listeners.values()):
            raise ApiFault(409, "Conflict", f"port {b['port']} is taken", "port")
        act = b["default_action"]
        if act["type"] == "forward" and act["target_group_arn"] not in f.tgs:
            raise ApiFault(404, "NotFound", "no target group", "default_action.target_group_arn")
        arn = f.arn("elasticloadbalancing", f"listener/app/x/{next(f._ids):016x}")
        bound = 40000 + len(f.listeners)
        f.listeners[arn] = {"arn": arn, "bound_address": f"127.0.0.1:{bound}",
                            "url": f"http://127.0.0.1:{bound}", **b}  # fmt: skip
        if act["type"] == "forward":
            f.tgs[act["target_group_arn"]]["load_balancer_arns"] = [b["load_balancer_arn"]]
        return f.listeners[arn]

    def create_tg(r: httpx.Request, b: Any, p: list[str]) -> Any:
        b = only(b, ("name", "port", "protocol", "vpc_id", "target_type", "deregistration_delay",
                     "slow_start", "load_balancing_algorithm_type", "health_check", "tags"))  # fmt: skip
        hc = {**HEALTH, **(b.pop("health_check", None) or {})}
        if hc["timeout"] >= hc["interval"]:
            raise bad("health_check.timeout must be less than the interval", "health_check.timeout")
        arn = f.arn("elasticloadbalancing", f"targetgroup/{b['name']}/{next(f._ids):016x}")
        f.tgs[arn] = {"arn": arn, "health_check": hc, "load_balancer_arns": [], "targets": [],
                      "deregistration_delay": 300, "slow_start": 0, **b}  # fmt: skip
        return {k: v for k, v in f.tgs[arn].items() if k != "targets"}

    def tg_targets(r: httpx.Request, b: Any, p: list[str]) -> Any:
        tg = _get(f.tgs, p[1], "target group")
        return {"items": [{**t, "state": "healthy"} for t in tg["targets"]]}

    def register(r: httpx.Request, b: Any, p: list[str]) -> Any:
        tg = _get(f.tgs, p[1], "target group")
        for t in b["targets"]:
            tg["targets"].append({"id": t["id"], "port": t.get("port", tg["port"])})
        return {"items": tg["targets"]}

    def deregister(r: httpx.Request, b: Any, p: list[str]) -> Any:
        tg = _get(f.tgs, p[1], "target group")
        gone = {t["id"] for t in b["targets"]}
        tg["targets"] = [t for t in tg["targets"] if t["id"] not in gone]
        return {"items": tg["targets"]}

    def delete_tg(r: httpx.Request, b: Any, p: list[str]) -> Any:
        if any(x["default_action"].get("target_group_arn") == p[1] for x in f.listeners.values()):
            raise ApiFault(409, "Conflict", f"target group {p[1]} is used by a listener")
        _delete(f.tgs, p[1], "target group")

    def listeners_of(r: httpx.Request, b: Any, p: list[str]) -> Any:
        lb = r.url.params.get("load_balancer_arn")
        return {"items": [x for x in f.listeners.values() if lb in (None, x["load_balancer_arn"])]}

    return [
        ("POST", "load-balancers", create_lb),
        ("GET", "load-balancers/*", get_lb),
        (
            "PATCH",
            "load-balancers/*",
            patch(f.lbs, ("security_group_ids", "subnet_ids", "idle_timeout", "tags")),
        ),
        ("DELETE", "load-balancers/*", lambda r, b, p: _delete(f.lbs, p[1], "load balancer")),
        ("POST", "listeners", create_listener),
        ("GET", "listeners", listeners_of),
        ("GET", "listeners/*", lambda r, b, p: _get(f.listeners, p[1], "listener")),
        (
            "PATCH",
            "listeners/*",
            patch(f.listeners, ("port", "protocol", "default_action", "tags")),
        ),
        ("DELETE", "listeners/*", lambda r, b, p: _delete(f.listeners, p[1], "listener")),
        ("POST", "target-groups", create_tg),
        (
            "GET",
            "target-groups/*",
            lambda r, b, p: {
                k: v for k, v in _get(f.tgs, p[1], "target group").items() if k != "targets"
            },
        ),
        (
            "PATCH",
            "target-groups/*",
            patch(
                f.tgs,
                (
                    "deregistration_delay",
                    "slow_start",
                    "load_balancing_algorithm_type",
                    "health_check",
                    "tags",
                ),
            ),
        ),
        ("DELETE", "target-groups/*", delete_tg),
        ("GET", "target-groups/*/targets", tg_targets),
        ("POST", "target-groups/*/targets", register),
        ("POST", "target-groups/*/targets/deregister", deregister),
    ]


def _logs(f: FakeCloud) -> list[tuple[str, str, Handler]]:
    def create(r: httpx.Request, b: Any, p: list[str]) -> Any:
        b = only(b, ("name", "retention_in_days", "tags"))
        if b["name"] in f.log_groups:
            raise ApiFault(409, "Conflict", "name taken", "name")
        f.log_groups[b["name"]] = {"name": b["name"], "arn": f.arn("logs", f"log-group:{b['name']}"),
                                   "retention_in_days": b.get("retention_in_days"),
                                   "tags": b.get("tags") or {}}  # fmt: skip
        return f.log_groups[b["name"]]

    def update(r: httpx.Request, b: Any, p: list[str]) -> Any:
        doc = _get(f.log_groups, p[1], "log group")
        doc.update(only(b, ("retention_in_days", "tags")))
        return doc

    return [
        ("POST", "log-groups", create),
        ("GET", "log-groups/*", lambda r, b, p: _get(f.log_groups, p[1], "log group")),
        ("PATCH", "log-groups/*", update),
        ("DELETE", "log-groups/*", lambda r, b, p: _delete(f.log_groups, p[1], "log group")),
    ]


def _codebuild(f: FakeCloud) -> list[tuple[str, str, Handler]]:
    fields = ("name", "description", "source", "source_version", "environment", "build_timeout",
              "queued_timeout", "concurrent_build_limit", "logs_config", "artifacts",
              "service_role", "tags")  # fmt: skip

    def create_project(r: httpx.Request, b: Any, p: list[str]) -> Any:
        b = only(b, fields)
        if b["name"] in f.cb_projects:
            raise ApiFault(409, "Conflict", f"build project {b['name']} already exists", "name")
        doc = cb_project(b, f.arn("codebuild", f"project/{b['name']}"))
        f.cb_projects[b["name"]] = doc
        return doc

    def update_project(r: httpx.Request, b: Any, p: list[str]) -> Any:
        old = _get(f.cb_projects, p[2], "build project")
        merged = {k: v for k, v in old.items() if k in fields}
        merged.update(only(b, fields[1:]))
        f.cb_projects[p[2]] = cb_project(merged, old["arn"])
        return f.cb_projects[p[2]]

    def delete_project(r: httpx.Request, b: Any, p: list[str]) -> Any:
        _delete(f.cb_projects, p[2], "build project")
        f.cb_webhooks.pop(p[2], None)

    def view(hook: dict[str, Any]) -> dict[str, Any]:
        kind = f.cb_projects[hook["project_name"]]["source"]["type"]
        forge = {"GITHUB": "github", "GITLAB": "gitlab", "GITEA": "gitea"}.get(kind)
        return {**hook, "payload_url": f"http://fake/webhooks/{forge}/{hook['id']}" if forge else "",
                "url": f"http://fake/api/v1/codebuild/webhooks/{hook['project_name']}"}  # fmt: skip

    def create_webhook(r: httpx.Request, b: Any, p: list[str]) -> Any:
        b = only(b, ("project_name", "build_type", "filter_group"))
        _get(f.cb_projects, b["project_name"], "build project")
        if b["project_name"] in f.cb_webhooks:
            raise ApiFault(409, "Conflict", "the project already has a webhook", "project_name")
        hook = {"id": f.new_id("wh"), "project_name": b["project_name"],
                "build_type": b.get("build_type") or "BUILD",
                "filter_group": cb_groups(b.get("filter_group")), "secret": "s3cr3t"}  # fmt: skip
        f.cb_webhooks[b["project_name"]] = hook
        return view(hook)

    def update_webhook(r: httpx.Request, b: Any, p: list[str]) -> Any:
        hook = _get(f.cb_webhooks, p[2], "webhook")
        b = only(b, ("build_type", "filter_group"))
        groups = cb_groups(b["filter_group"]) if "filter_group" in b else hook["filter_group"]
        hook.update(build_type=b.get("build_type") or "BUILD" if "build_type" in b
                    else hook["build_type"], filter_group=groups)  # fmt: skip
        return view(hook)

    def create_credential(r: httpx.Request, b: Any, p: list[str]) -> Any:
        b = only(b, ("server_type", "auth_type", "token", "user_name"))
        if b["server_type"] in f.cb_credentials:
            raise ApiFault(409, "Conflict", "a credential exists", "server_type")
        arn = f.arn("codebuild", f"token/{b['server_type'].lower()}")
        f.cb_credentials[b["server_type"]] = {"arn": arn, "user_name": "", **b}
        return {k: v for k, v in f.cb_credentials[b["server_type"]].items() if k != "token"}

    def credential(key: str) -> dict[str, Any]:
        found = [c for c in f.cb_credentials.values() if key in (c["arn"], c["server_type"])]
        if not found:
            raise missing(f"source credential {key}")
        return found[0]

    def delete_credential(r: httpx.Request, b: Any, p: list[str]) -> Any:
        del f.cb_credentials[credential(p[2])["server_type"]]

    base = "codebuild/projects"
    return [
        ("POST", base, create_project),
        ("GET", base + "/*", lambda r, b, p: _get(f.cb_projects, p[2], "build project")),
        ("PATCH", base + "/*", update_project),
        ("DELETE", base + "/*", delete_project),
        ("POST", "codebuild/webhooks", create_webhook),
        ("GET", "codebuild/webhooks/*", lambda r, b, p: view(_get(f.cb_webhooks, p[2], "webhook"))),
        ("PATCH", "codebuild/webhooks/*", update_webhook),
        ("DELETE", "codebuild/webhooks/*", lambda r, b, p: _delete(f.cb_webhooks, p[2], "webhook")),
        ("POST", "codebuild/source-credentials", create_credential),
        ("GET", "codebuild/source-credentials/*", lambda r, b, p: {
            k: v for k, v in credential(p[2]).items() if k != "token"}),
        ("DELETE", "codebuild/source-credentials/*", delete_credential),
    ]  # fmt: skip
