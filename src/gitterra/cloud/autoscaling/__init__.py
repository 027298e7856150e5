"""EC2 Auto Scaling: launch configurations, groups, their controllers, instance refreshes.

Concept: a group keeps ``desired_capacity`` instances in service, launched from a launch
template version or a launch configuration through the compute service, registered in its
target groups once running, and replaced when they end or (``health_check_type = "ELB"``, after
the grace period) fail the balancer's health checks. One supervised controller per group
(:mod:`._controller`) carries out decisions made by a pure function (:mod:`._decide`; victims
of a scale-in by :mod:`._termination`, AWS's termination policies) from durable inputs only,
so a restarted server continues where the store says it was.

Rules:

- An instance leaves a group by being deregistered from its target groups, drained by the
  balancer (requests in flight finish), then terminated: scale-in, replacement, instance
  refresh and deleting the group all go this way, which is what makes rollouts lose no request.
- An instance refresh (AWS's rolling strategy) launches new instances within
  ``max_healthy_percentage`` and retires old ones while ``min_healthy_percentage`` of the
  desired capacity stays in service and healthy; it fails with a reason when a new instance is
  not healthy in time, and the old instances keep serving.
- Inputs are checked field by field (:mod:`._validate`); a failed request changes nothing.
"""

from gitterra.cloud.autoscaling._service import AutoScaling

__all__ = ["AutoScaling"]
