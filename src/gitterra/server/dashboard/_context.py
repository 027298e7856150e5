"""What the pages read from: the cloud's services (found when asked, since a server may run
without some of them), the caches of :mod:`._index`, the balancer figures and log summaries.

The dashboard reads the services' own methods and documents in the server process, never its
JSON API, and changes nothing. A service that is not registered reads as empty.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from gitterra.cloud import Cloud, Doc
from gitterra.cloud.autoscaling import AutoScaling
from gitterra.cloud.codebuild import CodeBuild
from gitterra.cloud.compute import Compute
from gitterra.cloud.elb import Elb
from gitterra.cloud.elb.dataplane import Metrics
from gitterra.cloud.githost import GitHost
from gitterra.cloud.tokens import Tokens
from gitterra.server.dashboard import _index, _rates, _states, _summary

T = TypeVar("T")


class Context:
    """Everything a page is made from (one per app)."""

    def __init__(self, cloud: Cloud) -> None:
        self.cloud = cloud
        self.history = _rates.History()
        self.builds = _index.BuildIndex(cloud.store)
        self.deliveries = _index.DeliveryIndex(cloud.store)
        self.restarts = _index.RestartCount(cloud.store)
        self.messages = _index.CommitMessages()
        self.summaries = _summary.Summaries()
        self.states = _states.StateFiles(cloud.data_dir / "state")

    # -- services ----------------------------------------------------------------------------

    def _find(self, name: str, kind: type[T]) -> T | None:
        found = self.cloud.services.get(name)
        return found if isinstance(found, kind) else None

    @property
    def codebuild(self) -> CodeBuild | None:
        return self._find("codebuild", CodeBuild)

    @property
    def githost(self) -> GitHost | None:
        return self._find("githost", GitHost)

    @property
    def autoscaling(self) -> AutoScaling | None:
        return self._find("autoscaling", AutoScaling)

    @property
    def elb(self) -> Elb | None:
        return self._find("elb", Elb)

    @property
    def compute(self) -> Compute | None:
        return self._find("compute", Compute)

    @property
    def tokens(self) -> Tokens | None:
        """The tokens service: the audit log, and the tokens its actors name."""
        return self._find(Tokens.name, Tokens)

    def metrics(self) -> Metrics | None:
        """The data plane's counters now (None before the load balancer service started)."""
        elb = self.elb
        if elb is None:
            return None
        try:
            return elb.plane.metrics()
        except RuntimeError:  # not started yet, or stopped
            return None

    # -- builds ------------------------------------------------------------------------------

    def log_path(self, build: Doc) -> Path:
        """Where the build service writes ``build``'s log (``DATA_DIR/builds/<project>/<uuid>``,
        docs/cloud-api.md "Builds"); only ever called with a build from the store."""
        project, _, uid = str(build["id"]).partition(":")
        return self.cloud.data_dir / "builds" / project / uid / "build.log"

    def log_ended(self, build: Doc) -> bool:
        """The build ended and nothing more will be written to its log."""
        svc = self.codebuild
        return bool(build.get("build_complete")) and not (
            svc is not None and svc.running(build["id"])
        )

    def summary(self, build: Doc) -> _summary.LogSummary:
        return self.summaries.get(build["id"], self.log_path(build), self.log_ended(build))

    def refresh(self) -> None:
        """Bring the caches up to date with the store (cheap when nothing changed)."""
        self.builds.refresh()
        githost = self.githost
        if githost is not None:
            self.messages.refresh(githost)
