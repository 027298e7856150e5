"""The local cloud: its store, its services, and their controllers' lifetime.

``Cloud`` is the composition root the server builds: services register themselves, and
``start``/``stop`` bring their controllers up and down in order (stop in reverse). After a crash
``start`` restores everything from the store (services decide how: rebind listeners, adopt or
replace instances, resume refreshes).

The cloud also holds what every service shares about user data and user code: the ``sealer``
of secrets at rest (``_crypto``, key in the data dir) and the ``isolation`` user code runs
under (``isolation.detect``, when the cloud is made; ``start`` logs it). Making a cloud raises
``crypto.CryptoError`` for a key it cannot use and ``isolation.IsolationError`` for an
isolation it cannot have.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Protocol, TypeVar

from gitterra.cloud import _crypto, isolation
from gitterra.cloud._store import Store

log = logging.getLogger("gitterra.cloud")


class Service(Protocol):
    """One service (ec2, autoscaling, elb ...). ``start`` restores and starts its controllers;
    ``stop`` stops them (``terminate``: also stop what it runs, as on a clean shutdown)."""

    name: str

    async def start(self) -> None: ...

    async def stop(self, terminate: bool) -> None: ...


S = TypeVar("S", bound=Service)


class Cloud:
    def __init__(
        self, data_dir: Path, endpoint: str, *, confine: isolation.Isolation | None = None
    ) -> None:
        self.data_dir = data_dir
        self.endpoint = endpoint
        self.store = Store(data_dir / "cloud.db")
        self.sealer = _crypto.Sealer.open(data_dir)
        self.services: dict[str, Service] = {}
        self._started: list[Service] = []
        # Decided before anything runs, so a server that cannot start says so at once.
        self.isolation = confine if confine is not None else isolation.detect(data_dir)

    def register(self, service: S) -> S:
        if service.name in self.services:
            raise ValueError(f"service {service.name} registered twice")
        self.services[service.name] = service
        return service

    def service(self, name: str, kind: type[S]) -> S:
        found = self.services[name]
        assert isinstance(found, kind), f"{name} is a {type(found).__name__}"
        return found

    def event(self, kind: str, subject: str, message: str) -> None:
        """Record what a controller did (visible at /api/v1/events and in the dashboard)."""
        self.store.add_event(kind, subject, message)
        log.info("%s %s: %s", kind, subject, message)

    async def start(self) -> None:
        found = self.isolation
        self.store.add_event("isolation", found.level, found.describe())
        # Said at every start whatever the log level: what holds is the operator's to know.
        log.warning("%s", found.describe())
        for service in self.services.values():
            await service.start()
            self._started.append(service)

    async def stop(self, terminate: bool = True) -> None:
        while self._started:
            service = self._started.pop()
            try:
                await service.stop(terminate)
            except Exception:
                log.exception("stopping %s failed", service.name)
        self.store.close()
