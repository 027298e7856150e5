"""Deliveries: every webhook delivery and git host event, what became of it, and why.

A forge delivery (``POST /webhooks/<forge>/<webhook id>``) is checked in this order, and each
refusal is stored with its reason before the answer goes out: the webhook exists and takes
deliveries from that forge (404); the signature matches the webhook's secret, checked on the
raw bytes before anything parses them (401); the body is a delivery the forge would send (400;
413 above 25 MB, refused by the server before it is read); its delivery id was not seen before
(a redelivery is answered 200 and builds nothing). Then each event it reports is matched with
the webhook's filter groups (:meth:`gitterra.triggers.FilterGroups.explain` says why) and a
match is queued: the delivery record, the "seen" mark and the queued builds commit together,
before the 202 answer.

Git host events come through ``GitHost.subscribe`` and are matched against every project whose
source is the git host repository they happened in, with the same records.
"""

from __future__ import annotations

import secrets as _random
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gitterra import triggers
from gitterra.cloud import NotFound, crypto
from gitterra.cloud.codebuild import _builds, _projects

if TYPE_CHECKING:
    from gitterra.cloud.codebuild._service import CodeBuild

KIND = "codebuild_delivery"
SEEN = "codebuild_seen"


@dataclass(slots=True)
class Outcome:
    """What the delivery endpoint answers: an HTTP status and a JSON body."""

    status: int
    body: dict[str, Any] = field(default_factory=dict)


class Deliveries:
    def __init__(self, svc: CodeBuild) -> None:
        self.svc = svc
        self.store = svc.cloud.store

    # -- forge deliveries --------------------------------------------------------------------

    def refuse(
        self, forge: str, webhook_id: str, headers: Mapping[str, str], status: int, reason: str
    ) -> Outcome:
        """Record a delivery refused before its body was looked at (too large, say)."""
        doc = self._doc(forge, webhook_id, headers)
        return self._refused(doc, status, reason)

    def receive(
        self, forge: str, webhook_id: str, headers: Mapping[str, str], body: bytes
    ) -> Outcome:
        doc = self._doc(forge, webhook_id, headers)
        webhook = self.svc.webhooks.by_id(webhook_id)
        project = (
            self.svc.cloud.store.get(_projects.KIND, webhook["project_name"]) if webhook else None
        )
        if webhook is None or project is None:
            return self._refused(doc, 404, f"there is no webhook {webhook_id}")
        doc["project_name"] = project["name"]
        expected = _projects.FORGES.get(project["source"]["type"])
        if expected != forge:
            where = f"/webhooks/{expected}/{webhook_id}" if expected else "no forge"
            return self._refused(doc, 404, f"webhook {webhook_id} takes deliveries at {where}")
        try:
            secret = self.svc.webhooks.secret(webhook)
        except crypto.UnsealError as exc:
            return self._refused(doc, 500, str(exc))
        try:
            triggers.verify_delivery(forge, secret.encode(), headers, body)
        except triggers.SignatureError as exc:
            return self._refused(doc, 401, str(exc))
        try:
            events = triggers.parse_delivery(forge, headers, body)
        except triggers.PayloadTooLargeError as exc:
            return self._refused(doc, 413, str(exc))
        except triggers.PayloadError as exc:
            return self._refused(doc, 400, str(exc))
        delivery_id = events[0].delivery_id if events else doc["delivery_id"]
        doc["delivery_id"] = delivery_id or doc["delivery_id"]
        return self._accept(doc, webhook, project, events)

    # -- git host events ---------------------------------------------------------------------

    async def on_githost_event(self, event: triggers.Event) -> None:
        """A git host event: matched against the projects building from its repository."""
        repository = event.repository.removesuffix(".git").rsplit("/", 1)[-1]
        projects = [
            p
            for p in self.store.find(_projects.KIND, lambda d: d["source"]["type"] == "GITTERRA")
            if _projects.repository_name(p["source"]["location"]) == repository
        ]
        headers = {"X-Gitterra-Event": event.kind, "X-Gitterra-Delivery": event.delivery_id}
        if not projects:
            doc = self._doc("githost", "", headers)
            doc["delivery_id"] = event.delivery_id
            doc["events"] = [_event_summary(event)]
            self._finish(doc, "ignored", 202, f"no project builds from repository {repository}")
            return
        for project in projects:
            doc = self._doc("githost", "", headers)
            doc["delivery_id"] = event.delivery_id
            doc["project_name"] = project["name"]
            webhook = self.svc.webhooks.for_project(project["name"])
            if webhook is None:
                doc["events"] = [_event_summary(event)]
                self._finish(doc, "ignored", 202, f"project {project['name']} has no webhook")
                continue
            doc["webhook_id"] = webhook["id"]
            self._accept(doc, webhook, project, [event])

    # -- the records -------------------------------------------------------------------------

    def find(self, project: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """Deliveries, newest first."""
        docs = self.store.find(KIND, lambda d: project is None or d["project_name"] == project)
        return list(reversed(docs))[:limit]

    def get(self, delivery_id: str) -> dict[str, Any]:
        doc = self.store.get(KIND, delivery_id)
        if doc is None:
            raise NotFound(f"delivery {delivery_id} does not exist")
        return doc

    def _accept(
        self,
        doc: dict[str, Any],
        webhook: Mapping[str, Any],
        project: Mapping[str, Any],
        events: list[triggers.Event],
    ) -> Outcome:
        seen_key = f"{webhook['id']}:{doc['delivery_id']}"
        groups = self.svc.webhooks.groups(webhook)
        queued: list[dict[str, Any]] = []
        with self.store.transaction():
            seen = self.store.get(SEEN, seen_key)
            if seen is not None:
                return self._finish(
                    doc,
                    "duplicate",
                    200,
                    f"delivery {doc['delivery_id']} was already received (record "
                    f"{seen['record']}); nothing is built again",
                )
            self.store.put(SEEN, seen_key, {"record": doc["id"], "at": doc["received_at"]})
            summaries = []
            for event in events:
                summary = _event_summary(event)
                summary["explanation"] = groups.explain(event)
                summary["filter_group"] = groups.matching_group(event)
                if summary["filter_group"] is not None and not event.deleted:
                    build = self.svc.queue.enqueue(
                        project, initiator=_initiator(event), want=_want(event), event=event
                    )
                    summary["build_id"] = build["id"]
                    queued.append(build)
                elif event.deleted:
                    summary["explanation"] += "; the ref was deleted: nothing to build"
                summaries.append(summary)
            doc["events"] = summaries
            doc["builds"] = [b["id"] for b in queued]
            if not events:
                reason = f"{doc['event']} starts no build"
            elif queued:
                reason = f"queued {len(queued)} build(s)"
            else:
                reason = "no filter group matched" if summaries else "no event"
            return self._finish(doc, "accepted" if queued else "ignored", 202, reason)

    def _doc(self, forge: str, webhook_id: str, headers: Mapping[str, str]) -> dict[str, Any]:
        lower = {k.lower(): v for k, v in headers.items()}
        event = next(
            (
                lower[h]
                for h in (
                    "x-github-event",
                    "x-gitea-event",
                    "x-forgejo-event",
                    "x-gitlab-event",
                    "x-gitterra-event",
                )
                if h in lower
            ),
            "",
        )
        delivery = next(
            (
                lower[h]
                for h in (
                    "x-github-delivery",
                    "x-gitea-delivery",
                    "x-forgejo-delivery",
                    "x-gitlab-event-uuid",
                    "idempotency-key",
                    "x-gitterra-delivery",
                )
                if h in lower
            ),
            "",
        )
        return {
            "id": f"{time.time_ns():020d}-{_random.token_hex(4)}",
            "received_at": _builds.now(),
            "forge": forge[:40],
            "webhook_id": webhook_id[:100],
            "project_name": None,
            "event": event[:200],
            "delivery_id": delivery[:200],
            "status": "",
            "http_status": 0,
            "reason": "",
            "events": [],
            "builds": [],
        }

    def _refused(self, doc: dict[str, Any], status: int, reason: str) -> Outcome:
        return self._finish(doc, "refused", status, reason)

    def _finish(self, doc: dict[str, Any], outcome: str, status: int, reason: str) -> Outcome:
        doc.update(status=outcome, http_status=status, reason=reason)
        self.store.put(KIND, doc["id"], doc)
        self.svc.cloud.event(
            "codebuild.delivery", doc["project_name"] or doc["forge"], f"{outcome}: {reason}"
        )
        body = {"delivery": doc["id"], "status": outcome, "reason": reason, "builds": doc["builds"]}
        return Outcome(status, body)


def _event_summary(event: triggers.Event) -> dict[str, Any]:
    return {
        "kind": event.kind,
        "head_ref": event.head_ref,
        "base_ref": event.base_ref,
        "commit": event.after,
        "pull_request": event.pull_request,
        "actor": event.actor,
        "repository": event.repository,
        "filter_group": None,
        "explanation": "",
        "build_id": None,
    }


def _want(event: triggers.Event) -> dict[str, str]:
    sha = event.after if event.after and event.after != triggers.ZERO_SHA else ""
    return {
        "sha": sha,
        "ref": event.head_ref if event.head_ref.startswith("refs/") else "",
        "version": "" if sha else event.head_ref,
        "source_version": event.source_version,
    }


def _initiator(event: triggers.Event) -> str:
    return f"{event.source}-webhook/{event.actor}" if event.actor else f"{event.source}-webhook"
