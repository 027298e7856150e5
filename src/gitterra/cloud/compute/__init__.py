"""Compute: instances as real process trees, supervised by the server (service ``compute``).

An instance is a directory (``DATA_DIR/instances/<id>/``: boot script, document root, console
log), a loopback address of its own (127.0.1.x) with a port, and a process tree in its own
session whose root is the instance runner. States go pending → running (its port accepts
connections) → shutting-down → terminated; every change is stored, published to subscribers
and recorded as an event.

Rules:
- The server never sits between an instance and its output or its clients: the runner writes
  the console file itself and serves the site itself, so instances keep working while the
  server restarts; a restarted server adopts them by (pid, start time).
- Nothing of an instance is left once it is ``terminated``: its process group, its cgroup and
  anything carrying its ``INSTANCE_ID`` are ended.
- Instances get only the documented environment: never the server's token or environment.
- Instance types become limits (``_limits``): memory always (``RLIMIT_AS``), CPU when a cgroup
  can be made; the server says at start which limits hold.
"""

from gitterra.cloud.compute._service import Compute
from gitterra.cloud.compute._spec import STATES, LaunchSpec

__all__ = ["STATES", "Compute", "LaunchSpec"]
