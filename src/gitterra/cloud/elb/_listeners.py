"""Listeners: a load balancer's ports, bound by the data plane.

The requested ``port`` is the listener's identity (one per port per balancer, as ELB). The
data plane binds it on 127.0.0.1 when it is unprivileged and free; a privileged port (80), or
one some other program holds, gets a free port from the OS instead. The bound port is recorded
(``bound_address``, ``url``) and bound again after a restart; if some other program took it
meanwhile, a new free port is bound and recorded, with an event saying so. Asking for a port
that another listener already holds is a ``Conflict``.

Each listener's data plane configuration is its default action, the source CIDRs its balancer's
security groups allow for its port, and the balancer's idle timeout; :meth:`Listeners.sync`
re-derives it (security group rules change without telling us) and reconfigures what changed.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from gitterra.cloud import CloudError, Conflict, NotFound, ids, tokens
from gitterra.cloud.ec2 import fields
from gitterra.cloud.elb import _validate
from gitterra.cloud.elb.dataplane import _model as plane_model

if TYPE_CHECKING:
    from gitterra.cloud.elb._service import Elb

log = logging.getLogger("gitterra.cloud.elb")

KIND = "listener"
HOST = "127.0.0.1"
#: Ports below this need privileges; the data plane gets a free port instead.
FIRST_UNPRIVILEGED = 1024


def plane_action(action: Mapping[str, Any]) -> plane_model.Action:
    kind = action["type"]
    if kind == "forward":
        return plane_model.ForwardAction(action["target_group_arn"])
    if kind == "fixed-response":
        return plane_model.FixedResponseAction(
            int(action["status_code"]), action["content_type"], action["message_body"]
        )
    return plane_model.RedirectAction(
        status_code=301 if action["status_code"] == "HTTP_301" else 302,
        protocol=action["protocol"],
        host=action["host"],
        port=action["port"],
        path=action["path"],
        query=action["query"],
    )


class Listeners:
    """The listener part of the load balancer service."""

    def __init__(self, elb: Elb) -> None:
        self.elb = elb
        self.store = elb.cloud.store
        self._applied: dict[str, plane_model.ListenerConfig] = {}

    # -- reading -----------------------------------------------------------------------------

    def get(self, arn: str) -> dict[str, Any]:
        doc = self.store.get(KIND, arn)
        if doc is None:
            raise NotFound(f"listener {arn} does not exist")
        return doc

    def find(self, load_balancer_arn: str | None = None) -> list[dict[str, Any]]:
        return self.store.find(
            KIND, lambda d: load_balancer_arn is None or d["load_balancer_arn"] == load_balancer_arn
        )

    def forwarding_to(self, tg_arn: str) -> list[dict[str, Any]]:
        return self.store.find(
            KIND, lambda d: d["default_action"].get("target_group_arn") == tg_arn
        )

    # -- writing -----------------------------------------------------------------------------

    async def create(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        spec = fields.body(spec, "a listener")
        _validate.only(spec, _validate.LISTENER_CREATE, "a listener is created with")
        lb_arn = fields.string(spec.get("load_balancer_arn"), "load_balancer_arn", max_len=256)
        lb = self.elb.balancers.require(lb_arn, "load_balancer_arn")
        tokens.check_change(lb, f"load balancer {lb['name']}")  # a listener changes its balancer
        port = _validate.port(spec.get("port"))
        doc: dict[str, Any] = {
            "load_balancer_arn": lb_arn,
            "port": port,
            "protocol": _validate.protocol(spec.get("protocol")),
            "default_action": self._action(spec.get("default_action")),
            "tags": fields.tags(spec.get("tags")),
        }
        self._check_port(lb_arn, port, None)
        suffix = lb["arn"].split(":loadbalancer/", 1)[1].removeprefix("app/")
        doc["arn"] = ids.arn("elasticloadbalancing", f"listener/app/{suffix}/{ids.short_hash()}")
        doc["created_at"] = fields.now()
        tokens.stamp(doc)
        config = self.config(doc, lb)
        bound = await self._bind(doc["arn"], port if port >= FIRST_UNPRIVILEGED else 0, config)
        doc.update(_addresses(bound))
        try:
            self.store.put(KIND, doc["arn"], doc)
        except BaseException:
            await self.elb.plane.close_listener(doc["arn"])
            raise
        self._applied[doc["arn"]] = config
        self.elb.cloud.event(
            "elb.listener", doc["arn"], f"port {port} listening on {doc['bound_address']}"
        )
        return doc

    async def update(self, arn: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        changes = fields.body(changes, "a listener change")
        _validate.only(changes, _validate.LISTENER_UPDATE, "a listener can change")
        doc = dict(self.get(arn))
        tokens.check_change(doc, f"listener {arn}")
        if "protocol" in changes:
            doc["protocol"] = _validate.protocol(changes["protocol"])
        if "default_action" in changes:
            doc["default_action"] = self._action(changes["default_action"])
        if "tags" in changes:
            doc["tags"] = fields.tags(changes["tags"])
        lb = self.elb.balancers.require(doc["load_balancer_arn"], "load_balancer_arn")
        new_port = _validate.port(changes["port"]) if "port" in changes else doc["port"]
        config = self.config({**doc, "port": new_port}, lb)
        if new_port != doc["port"]:
            self._check_port(doc["load_balancer_arn"], new_port, arn)
            await self.elb.plane.close_listener(arn)
            want = new_port if new_port >= FIRST_UNPRIVILEGED else 0
            doc.update(_addresses(await self._bind(arn, want, config)), port=new_port)
        else:
            self.elb.plane.configure_listener(arn, config)
        self.store.put(KIND, arn, doc)
        self._applied[arn] = config
        return doc

    async def delete(self, arn: str) -> None:
        doc = self.get(arn)
        tokens.check_change(doc, f"listener {arn}")
        self.store.delete(KIND, arn)
        self._applied.pop(arn, None)
        await self.elb.plane.close_listener(arn)
        self.elb.cloud.event("elb.listener", arn, f"port {doc['port']} closed")

    # -- data plane --------------------------------------------------------------------------

    def config(self, doc: Mapping[str, Any], lb: Mapping[str, Any]) -> plane_model.ListenerConfig:
        sources = self.elb.allowed_sources(lb["security_group_ids"], doc["port"])
        return plane_model.ListenerConfig(
            default_action=plane_action(doc["default_action"]),
            allowed_sources=sources,
            idle_timeout=float(lb["idle_timeout"]),
        )

    async def restore(self) -> None:
        """Bind every listener again, on its recorded port when that is still free."""
        for doc in self.find():
            lb = self.store.get("load_balancer", doc["load_balancer_arn"])
            if lb is None:
                continue
            config = self.config(doc, lb)
            recorded = int(doc["bound_address"].rsplit(":", 1)[1])
            bound = await self._bind(doc["arn"], recorded, config)
            self._applied[doc["arn"]] = config
            if bound[1] != recorded:
                doc.update(_addresses(bound))
                self.store.put(KIND, doc["arn"], doc)
                self.elb.cloud.event(
                    "elb.listener",
                    doc["arn"],
                    f"port {recorded} was taken by another program; now {doc['bound_address']}",
                )

    def sync(self) -> None:
        """Reconfigure listeners whose derived configuration changed (security group rules)."""
        for doc in self.find():
            lb = self.store.get("load_balancer", doc["load_balancer_arn"])
            if lb is None or doc["arn"] not in self._applied:
                continue
            config = self.config(doc, lb)
            if config != self._applied[doc["arn"]]:
                self.elb.plane.configure_listener(doc["arn"], config)
                self._applied[doc["arn"]] = config

    def forget(self, arn: str) -> None:
        self._applied.pop(arn, None)

    # -- internals ---------------------------------------------------------------------------

    def _action(self, value: object) -> dict[str, Any]:
        action = _validate.action(value)
        if action["type"] == "forward":
            where = "default_action.target_group_arn"
            tg = self.elb.target_groups.get(action["target_group_arn"], where)
            tokens.check_use(tg, f"target group {tg['name']}", where)
        return action

    def _check_port(self, lb_arn: str, port: int, own_arn: str | None) -> None:
        for other in self.find():
            if other["arn"] == own_arn:
                continue
            if other["load_balancer_arn"] == lb_arn and other["port"] == port:
                raise Conflict(
                    f"load balancer already has a listener on port {port} ({other['arn']})",
                    "port",
                )
            if port >= FIRST_UNPRIVILEGED and other["bound_address"].endswith(f":{port}"):
                raise Conflict(
                    f"port {port} is in use by listener {other['arn']} (bound at "
                    f"{other['bound_address']})",
                    "port",
                )

    async def _bind(
        self, arn: str, port: int, config: plane_model.ListenerConfig
    ) -> tuple[str, int]:
        """Bind ``port`` (0: any free port); a port held elsewhere falls back to a free one."""
        plane = self.elb.plane
        if port:
            try:
                return await plane.bind_listener(arn, HOST, port, config)
            except plane_model.BindError as exc:
                log.info("listener %s: port %d not free (%s), binding a free port", arn, port, exc)
        try:
            return await plane.bind_listener(arn, HOST, 0, config)
        except plane_model.BindError as exc:
            raise CloudError(f"cannot bind a port for listener {arn}: {exc}") from exc


def _addresses(bound: tuple[str, int]) -> dict[str, str]:
    host, port = bound
    return {"bound_address": f"{host}:{port}", "url": f"http://{host}:{port}"}
