"""The control planes' task sets: :class:`gitterra.kits.TaskSet`, kept here under its old name
for the services that import it from ``gitterra.cloud.elb``."""

from gitterra.kits import TaskSet

__all__ = ["TaskSet"]
