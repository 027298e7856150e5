"""Elastic Load Balancing's control plane: load balancers, listeners and target groups.

Concept: the API's documents (docs/cloud-api.md, "Elastic Load Balancing") live in the store;
:class:`Elb` (registered as ``"elb"``) makes the data plane (:mod:`.dataplane`, the proxy
itself) match them. Its parts:

- :mod:`._balancers`: load balancers (security groups, idle timeout; deleting one deletes its
  listeners).
- :mod:`._listeners`: listeners bound through the data plane on their requested port when it is
  free and unprivileged, else on a free one; the bound port is recorded and rebound after a
  restart; a port another listener holds is a ``Conflict``; security group ingress rules
  become each listener's allowed sources.
- :mod:`._target_groups`: target groups, their registered instances (kept in the store and
  handed to the data plane at start) and the targets' health, recorded and published as events
  and to subscribers (the auto scaling service).

Rules: every input is checked field by field (:mod:`._validate`) before anything changes;
the store is written before the data plane is told, so after a crash the store is the truth
and ``start`` restores the data plane from it; deleting a target group a listener forwards to
is a ``Conflict``.
"""

from gitterra.cloud.elb._service import Elb, HealthCallback

__all__ = ["Elb", "HealthCallback"]
