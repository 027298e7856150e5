"""Checking load balancer, listener and target group requests (field by field, pure).

Each function takes the JSON a caller sent and returns the clean fields of the document, or
raises :class:`~gitterra.cloud.ValidationError` naming the dotted path of the field at fault.
Existence of referenced objects (target groups, security groups, subnets) is checked by the
service, which knows the store. The rules are ELB's, except where the local cloud is more
permissive on purpose (health check intervals below 5 s, so tests and demos are quick).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from gitterra.cloud import ValidationError
from gitterra.cloud.ec2 import fields

LB_CREATE = (
    "name",
    "internal",
    "load_balancer_type",
    "security_group_ids",
    "subnet_ids",
    "idle_timeout",
    "tags",
)
LB_UPDATE = ("security_group_ids", "subnet_ids", "idle_timeout", "tags")
LISTENER_CREATE = ("load_balancer_arn", "port", "protocol", "default_action", "tags")
LISTENER_UPDATE = ("port", "protocol", "default_action", "tags")
TG_CREATE = (
    "name",
    "port",
    "protocol",
    "vpc_id",
    "target_type",
    "deregistration_delay",
    "slow_start",
    "load_balancing_algorithm_type",
    "health_check",
    "tags",
)
TG_UPDATE = (
    "deregistration_delay",
    "slow_start",
    "load_balancing_algorithm_type",
    "health_check",
    "tags",
)
HEALTH_FIELDS = (
    "enabled",
    "path",
    "port",
    "protocol",
    "interval",
    "timeout",
    "healthy_threshold",
    "unhealthy_threshold",
    "matcher",
)
HEALTH_DEFAULTS: dict[str, Any] = {
    "enabled": True,
    "path": "/",
    "port": "traffic-port",
    "protocol": "HTTP",
    "interval": 30,
    "timeout": 5,
    "healthy_threshold": 5,
    "unhealthy_threshold": 2,
    "matcher": "200",
}
CONTENT_TYPES = (
    "text/plain",
    "text/css",
    "text/html",
    "application/javascript",
    "application/json",
)

_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?")
_NAME_RULE = "1 to 32 letters, digits and hyphens, not beginning or ending with a hyphen"
_MATCHER = re.compile(r"\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*")
_PATH = re.compile(r"/[\x21-\x7e]*")


def name(value: object, field: str = "name") -> str:
    text = fields.string(value, field, max_len=32, pattern=_NAME, allowed=_NAME_RULE)
    if text.lower().startswith("internal-"):
        raise ValidationError(
            f'{field} {text!r} is invalid: it cannot begin with "internal-"', field
        )
    return text


def load_balancer(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a new load balancer (references not checked yet)."""
    kind = spec.get("load_balancer_type", "application")
    if kind != "application":
        raise ValidationError(
            f"load_balancer_type {kind!r} is not supported: the local cloud runs application "
            "load balancers (HTTP) only",
            "load_balancer_type",
        )
    return {
        "name": name(spec.get("name")),
        "internal": boolean(spec.get("internal", False), "internal"),
        "load_balancer_type": "application",
        "security_group_ids": fields.string_list(
            spec.get("security_group_ids"), "security_group_ids"
        ),
        "subnet_ids": fields.string_list(spec.get("subnet_ids"), "subnet_ids"),
        "idle_timeout": fields.integer(spec.get("idle_timeout", 60), "idle_timeout", 1, 4000),
        "tags": fields.tags(spec.get("tags")),
    }


def load_balancer_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "security_group_ids" in changes:
        out["security_group_ids"] = fields.string_list(
            changes["security_group_ids"], "security_group_ids"
        )
    if "subnet_ids" in changes:
        out["subnet_ids"] = fields.string_list(changes["subnet_ids"], "subnet_ids")
    if "idle_timeout" in changes:
        out["idle_timeout"] = fields.integer(changes["idle_timeout"], "idle_timeout", 1, 4000)
    if "tags" in changes:
        out["tags"] = fields.tags(changes["tags"])
    return out


def port(value: object, field: str = "port") -> int:
    return fields.integer(value, field, 1, 65535)


def protocol(value: object, field: str = "protocol") -> str:
    if value is None:
        return "HTTP"
    text = fields.string(value, field, max_len=10).upper()
    if text != "HTTP":
        raise ValidationError(
            f"{field} {value!r} is not supported: the local cloud's balancers speak HTTP only",
            field,
        )
    return text


def action(value: object, field: str = "default_action") -> dict[str, Any]:
    """A listener action (the target group's existence is the service's to check)."""
    act = fields.body(value, field)
    kind = act.get("type")
    if kind == "forward":
        fields.only(act, ("type", "target_group_arn"), f"{field} of type forward has")
        arn = fields.string(act.get("target_group_arn"), f"{field}.target_group_arn", max_len=256)
        return {"type": "forward", "target_group_arn": arn}
    if kind == "fixed-response":
        return _fixed_response(act, field)
    if kind == "redirect":
        return _redirect(act, field)
    raise ValidationError(
        f"{field}.type must be forward, fixed-response or redirect, got {kind!r}", f"{field}.type"
    )


def _fixed_response(act: Mapping[str, Any], field: str) -> dict[str, Any]:
    allowed = ("type", "status_code", "content_type", "message_body")
    fields.only(act, allowed, f"{field} of type fixed-response has")
    code = str(act.get("status_code", ""))
    if not re.fullmatch(r"[2-5]\d\d", code):
        raise ValidationError(
            f"{field}.status_code must be an HTTP status 2XX to 5XX, "
            f"got {act.get('status_code')!r}",
            f"{field}.status_code",
        )
    ctype = act.get("content_type") or "text/plain"
    if ctype not in CONTENT_TYPES:
        raise ValidationError(
            f"{field}.content_type must be one of {', '.join(CONTENT_TYPES)}, got {ctype!r}",
            f"{field}.content_type",
        )
    body = fields.optional_string(act.get("message_body"), f"{field}.message_body", max_len=1024)
    return {
        "type": "fixed-response",
        "status_code": code,
        "content_type": ctype,
        "message_body": body,
    }


def _redirect(act: Mapping[str, Any], field: str) -> dict[str, Any]:
    allowed = ("type", "status_code", "protocol", "host", "port", "path", "query")
    fields.only(act, allowed, f"{field} of type redirect has")
    code = act.get("status_code")
    if code not in ("HTTP_301", "HTTP_302"):
        raise ValidationError(
            f"{field}.status_code must be HTTP_301 or HTTP_302, got {code!r}",
            f"{field}.status_code",
        )
    out: dict[str, Any] = {"type": "redirect", "status_code": code}
    defaults = {
        "protocol": "#{protocol}",
        "host": "#{host}",
        "port": "#{port}",
        "path": "/#{path}",
        "query": "#{query}",
    }
    for key, default in defaults.items():
        given = act.get(key)
        text = default if given in (None, "") else given
        if key == "port" and isinstance(text, int) and not isinstance(text, bool):
            text = str(text)
        out[key] = fields.string(text, f"{field}.{key}", max_len=128, min_len=0)
    if out["protocol"].upper() not in ("HTTP", "HTTPS", "#{PROTOCOL}"):
        raise ValidationError(
            f"{field}.protocol must be HTTP, HTTPS or #{{protocol}}, got {out['protocol']!r}",
            f"{field}.protocol",
        )
    if not out["path"].startswith("/"):
        raise ValidationError(f"{field}.path must begin with '/'", f"{field}.path")
    return out


def target_group(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a new target group."""
    kind = spec.get("target_type", "instance")
    if kind != "instance":
        raise ValidationError(
            f"target_type {kind!r} is not supported: the local cloud's targets are instances",
            "target_type",
        )
    out = {
        "name": name(spec.get("name")),
        "port": port(spec.get("port")),
        "protocol": protocol(spec.get("protocol")),
        "target_type": "instance",
        "deregistration_delay": 300,
        "slow_start": 0,
        "load_balancing_algorithm_type": "round_robin",
        "health_check": health_check(spec.get("health_check"), dict(HEALTH_DEFAULTS)),
        "tags": fields.tags(spec.get("tags")),
    }
    out.update(target_group_changes({k: v for k, v in spec.items() if k in TG_UPDATE}, out))
    return out


def target_group_changes(changes: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "deregistration_delay" in changes:
        out["deregistration_delay"] = fields.integer(
            changes["deregistration_delay"], "deregistration_delay", 0, 3600
        )
    if "slow_start" in changes:
        slow = fields.integer(changes["slow_start"], "slow_start", 0, 900)
        if 0 < slow < 30:
            raise ValidationError(
                f"slow_start must be 0 or 30 to 900 seconds, got {slow}", "slow_start"
            )
        out["slow_start"] = slow
    if "load_balancing_algorithm_type" in changes:
        algo = changes["load_balancing_algorithm_type"]
        if algo not in ("round_robin", "least_outstanding_requests"):
            raise ValidationError(
                "load_balancing_algorithm_type must be round_robin or least_outstanding_requests"
                f", got {algo!r}",
                "load_balancing_algorithm_type",
            )
        out["load_balancing_algorithm_type"] = algo
    if "health_check" in changes:
        out["health_check"] = health_check(changes["health_check"], dict(current["health_check"]))
    if "tags" in changes:
        out["tags"] = fields.tags(changes["tags"])
    return out


def health_check(value: object, base: dict[str, Any]) -> dict[str, Any]:
    """A health check: given fields over ``base`` (the defaults, or the current check)."""
    if value is None:
        return base
    given = fields.body(value, "health_check")
    fields.only(given, HEALTH_FIELDS, "health_check has")
    hc = {**base, **{k: v for k, v in given.items() if v is not None}}
    hc["enabled"] = boolean(hc["enabled"], "health_check.enabled")
    hc["path"] = fields.string(hc["path"], "health_check.path", max_len=1024)
    if not _PATH.fullmatch(hc["path"]):
        raise ValidationError(
            f"health_check.path {hc['path']!r} must begin with '/' and contain no spaces",
            "health_check.path",
        )
    if hc["port"] != "traffic-port":
        raise ValidationError(
            "health_check.port must be traffic-port: a local instance serves on one port",
            "health_check.port",
        )
    hc["protocol"] = protocol(hc["protocol"], "health_check.protocol")
    hc["interval"] = seconds(hc["interval"], "health_check.interval", 0.1, 300)
    hc["timeout"] = seconds(hc["timeout"], "health_check.timeout", 0.05, 120)
    if hc["timeout"] >= hc["interval"]:
        raise ValidationError(
            f"health_check.timeout ({hc['timeout']:g}) must be less than the interval "
            f"({hc['interval']:g})",
            "health_check.timeout",
        )
    for key in ("healthy_threshold", "unhealthy_threshold"):
        hc[key] = fields.integer(hc[key], f"health_check.{key}", 2, 10)
    matcher = hc["matcher"]
    if not isinstance(matcher, str) or not _MATCHER.fullmatch(matcher.replace(" ", "")):
        raise ValidationError(
            f'health_check.matcher must be codes like "200", "200-299" or "200,302", '
            f"got {matcher!r}",
            "health_check.matcher",
        )
    return hc


def seconds(value: object, field: str, low: float, high: float) -> float | int:
    """A number of seconds in ``low..high`` (integers stay integers)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise ValidationError(f"{field} must be a number of seconds, got {value!r}", field)
    if not low <= value <= high:
        raise ValidationError(f"{field} must be between {low:g} and {high:g}, got {value}", field)
    return value


def boolean(value: object, field: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationError(f"{field} must be true or false, got {value!r}", field)
    return value


def only(given: Mapping[str, Any], allowed: tuple[str, ...], what: str) -> None:
    fields.only(given, allowed, what)
