"""``aws_lb_listener`` (``/api/v1/listeners``): a load balancer's port and its default action.

One default action of type ``forward`` (to ``target_group_arn``), ``fixed-response`` or
``redirect``, over HTTP. The requested port is the listener's identity; when it needs
privileges (80) or is taken, the cloud binds a free one: gitterra adds
``gitterra_bound_address`` (``127.0.0.1:PORT``) and ``gitterra_url`` (``http://...``), the
address that really answers. The ARN is the id.
"""

from __future__ import annotations

from typing import Any

from gitterra import engine, lang
from gitterra.diag import Diagnostic, Diagnostics
from gitterra.providers.aws import _client, _kit, _resource
from gitterra.providers.aws._kit import a

_ACTION_TYPES = ("forward", "fixed-response", "redirect")
_UNSUPPORTED_ACTIONS = ("forward", "authenticate_cognito", "authenticate_oidc")
_REDIRECT_DEFAULTS = {
    "host": "#{host}",
    "path": "/#{path}",
    "port": "#{port}",
    "protocol": "#{protocol}",
    "query": "#{query}",
}

FIXED_RESPONSE = _kit.block(
    {
        "content_type": a("R", lang.STRING),
        "message_body": a("O", lang.STRING),
        "status_code": a("OC", lang.STRING),
    }
)
REDIRECT = _kit.block(
    {
        **{k: a("O", lang.STRING, default=v) for k, v in _REDIRECT_DEFAULTS.items()},
        "status_code": a("R", lang.STRING, description='"HTTP_301" or "HTTP_302".'),
    }
)
ACTION = _kit.block(
    {
        "type": a("R", lang.STRING, description="forward, fixed-response or redirect."),
        "target_group_arn": a("O", lang.STRING),
        "order": a("OC", lang.NUMBER),
    },
    {
        "fixed_response": engine.NestedBlock(FIXED_RESPONSE, "list", max_items=1),
        "redirect": engine.NestedBlock(REDIRECT, "list", max_items=1),
        "forward": _kit.unsupported_block("target_group", "stickiness"),
        "authenticate_cognito": _kit.unsupported_block("user_pool_arn", "user_pool_client_id"),
        "authenticate_oidc": _kit.unsupported_block("client_id", "issuer"),
    },
)


class Listener(_resource.CloudResource):
    name = "aws_lb_listener"
    label = "ELBv2 Listener"
    unsupported = ("certificate_arn", "ssl_policy", "alpn_policy", "mutual_authentication")
    schema = engine.ResourceSchema(
        _kit.block(
            {
                "arn": a("C", lang.STRING),
                "id": a("C", lang.STRING),
                "load_balancer_arn": a("R!", lang.STRING),
                "port": a("O", lang.NUMBER, description="The requested port (its identity)."),
                "protocol": a("OC", lang.STRING, description='"HTTP".'),
                "gitterra_bound_address": a("C", lang.STRING, description="127.0.0.1:PORT."),
                "gitterra_url": a("C", lang.STRING, description="http://127.0.0.1:PORT"),
                **_kit.tag_attributes(),
                **_kit.unsupported("certificate_arn", "ssl_policy", "alpn_policy"),
            },
            {
                "default_action": engine.NestedBlock(ACTION, "list", min_items=1),
                "mutual_authentication": _kit.unsupported_block("mode", "trust_store_arn"),
            },
            "A listener: a port of a load balancer and its default action.",
        )
    )

    def check(self, cfg: dict[str, Any], config: lang.Value, diags: Diagnostics) -> None:
        _resource.check_between(cfg, "port", 1, 65535, diags)
        protocol = cfg.get("protocol")
        if isinstance(protocol, str) and protocol.upper() != "HTTP":
            diags.add(
                _resource.invalid(
                    "protocol",
                    f'protocol "{protocol}" is not supported by the local cloud, whose '
                    'balancers speak HTTP only (use "HTTP")',
                )
            )
        actions = cfg.get("default_action") or []
        if len(actions) > 1:
            diags.add(
                Diagnostic.error(
                    "Not supported by the local cloud",
                    "The local cloud's listeners take one default_action block.",
                    attribute=("default_action",),
                )
            )
        for i, action in enumerate(actions):
            _check_action(i, action, diags)

    def plan(
        self, prior: lang.Value | None, proposed: lang.Value, config: lang.Value
    ) -> engine.PlannedChange:
        change = engine.plan_by_schema(self.block, prior, proposed, config)
        planned = self.plan_tags(change.planned)
        fixed: dict[str, Any] = {}
        if config.items()["protocol"].is_null and not planned.items()["protocol"].is_known:
            fixed["protocol"] = "HTTP"  # an application balancer's listeners speak HTTP
        actions = planned.items()["default_action"]
        if actions.is_known and not actions.is_null:
            fixed["default_action"] = [
                _with_order(act, i) for i, act in enumerate(actions.elements())
            ]
        if prior is not None and not prior.is_null and _kit.changed(prior, planned, "port"):
            # a new port is bound anew: where the listener answers is known after apply
            for name in ("gitterra_bound_address", "gitterra_url"):
                fixed[name] = lang.unknown_val(lang.STRING)
        planned = _kit.with_values(self.block, planned, fixed)
        return engine.PlannedChange(planned, change.requires_replace)

    async def create(self, planned: lang.Value, config: lang.Value | None) -> engine.ApplyResult:
        p = _kit.py(planned)
        body = {
            "load_balancer_arn": p["load_balancer_arn"],
            "port": p["port"],
            "protocol": (p["protocol"] or "HTTP").upper(),
            "default_action": action_body(p["default_action"][0]),
            "tags": self.all_tags(p),
        }
        try:
            doc = await self.cloud.elbv2.create_listener(body)
        except _client.CloudError as exc:
            return engine.ApplyResult(None, self.failed(exc, "creating", p["load_balancer_arn"]))
        return engine.ApplyResult(self.from_doc(p, doc))

    async def update(
        self, prior: lang.Value, planned: lang.Value, config: lang.Value | None
    ) -> engine.ApplyResult:
        p = _kit.py(planned)
        body: dict[str, Any] = {}
        for name in ("port", "protocol"):
            if _kit.changed(prior, planned, name) and p[name] is not None:
                body[name] = p[name]
        if _kit.changed(prior, planned, "default_action"):
            body["default_action"] = action_body(p["default_action"][0])
        if _kit.changed(prior, planned, "tags") or _kit.changed(prior, planned, "tags_all"):
            body["tags"] = self.all_tags(p)
        try:
            doc = await self.cloud.elbv2.update_listener(p["arn"], body)
        except _client.CloudError as exc:
            return engine.ApplyResult(prior, self.failed(exc, "modifying", p["arn"]))
        return engine.ApplyResult(self.from_doc(p, doc))

    async def delete(self, prior: lang.Value) -> engine.ApplyResult:
        p = _kit.py(prior)
        try:
            await self.cloud.elbv2.delete_listener(p["arn"])
        except _client.NotFoundError:
            pass
        except _client.CloudError as exc:
            return engine.ApplyResult(prior, self.failed(exc, "deleting", p["arn"]))
        return engine.ApplyResult(None)

    async def read(self, current: lang.Value) -> engine.ReadResult:
        p = _kit.py(current)
        try:
            doc = await self.cloud.elbv2.get_listener(p["arn"])
        except _client.NotFoundError:
            return engine.ReadResult(None)
        except _client.CloudError as exc:
            return engine.ReadResult(current, self.failed(exc, "reading", p["arn"]))
        return engine.ReadResult(self.from_doc(p, doc))

    async def import_(self, id_: str) -> engine.ImportResult:
        try:
            doc = await self.cloud.elbv2.get_listener(id_)
        except _client.NotFoundError:
            return self.not_found_import(id_)
        except _client.CloudError as exc:
            return engine.ImportResult(diagnostics=self.failed(exc, "importing", id_))
        return engine.ImportResult((self.from_doc({}, doc),))

    def from_doc(self, p: dict[str, Any], doc: dict[str, Any]) -> lang.Value:
        given = (p.get("default_action") or [{}])[0] or {}
        return self.state(
            {
                **p,
                "arn": doc["arn"],
                "id": doc["arn"],
                "load_balancer_arn": doc.get("load_balancer_arn"),
                "port": doc.get("port"),
                "protocol": doc.get("protocol") or "HTTP",
                "default_action": [action_state(doc.get("default_action") or {}, given)],
                "gitterra_bound_address": doc.get("bound_address"),
                "gitterra_url": doc.get("url"),
                "tags": self.tags_state(p.get("tags"), doc.get("tags")),
                "tags_all": doc.get("tags") or {},
            }
        )


def _with_order(action: lang.Value, index: int) -> lang.Value:
    """An action whose unset ``order`` is its position (AWS numbers a listener's actions)."""
    items = dict(action.items())
    if not items["order"].is_known or items["order"].is_null:
        items["order"] = lang.number_val(index + 1)
    return lang.object_val(items)


def _check_action(i: int, action: dict[str, Any], diags: Diagnostics) -> None:
    path: tuple[str | int, ...] = ("default_action", i)
    kind = action.get("type")
    if kind is not None and kind not in _ACTION_TYPES:
        diags.add(
            _resource.invalid(
                (*path, "type"),
                f'default_action type "{kind}" is not supported by the local cloud (use '
                "forward, fixed-response or redirect)",
            )
        )
    for name in _UNSUPPORTED_ACTIONS:
        if action.get(name):
            diags.add(
                Diagnostic.error(
                    "Not supported by the local cloud",
                    f'The block "{name}" in default_action is not supported by the local cloud'
                    + (
                        "; forward to one group with target_group_arn."
                        if name == "forward"
                        else "."
                    ),
                    attribute=(*path, name),
                )
            )


def action_body(action: dict[str, Any]) -> dict[str, Any]:
    kind = action["type"]
    if kind == "fixed-response":
        fixed = action["fixed_response"][0]
        body = {"type": kind, "status_code": fixed["status_code"]}
        body["content_type"] = fixed["content_type"]
        if fixed.get("message_body") is not None:
            body["message_body"] = fixed["message_body"]
        return body
    if kind == "redirect":
        redirect = action["redirect"][0]
        return {"type": kind, **{k: redirect[k] for k in (*_REDIRECT_DEFAULTS, "status_code")}}
    return {"type": kind, "target_group_arn": action.get("target_group_arn")}


def action_state(doc: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    kind = doc.get("type")
    out: dict[str, Any] = {
        "type": kind,
        "target_group_arn": doc.get("target_group_arn"),
        "order": given.get("order") or 1,
        "fixed_response": [],
        "redirect": [],
    }
    if kind == "fixed-response":
        was = (given.get("fixed_response") or [{}])[0] or {}
        out["fixed_response"] = [
            {
                "content_type": doc.get("content_type"),
                "message_body": doc.get("message_body") or was.get("message_body"),
                "status_code": str(doc.get("status_code")),
            }
        ]
    elif kind == "redirect":
        out["redirect"] = [{k: doc.get(k) for k in (*_REDIRECT_DEFAULTS, "status_code")}]
    return out
