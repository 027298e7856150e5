"""EC2's simple records: security groups, key pairs and launch templates.

Three services, each registered on the :class:`~gitterra.cloud.Cloud` under its ``name`` and
found by others at start (or call) time::

    groups = cloud.service(SecurityGroups.name, SecurityGroups)
    groups.allowed_sources(["sg-…"], 80)      # None: anyone; else the CIDRs let in

    templates = cloud.service(LaunchTemplates.name, LaunchTemplates)
    templates.resolve("lt-…", "$Latest")      # one version's document

Rules: every input is checked field by field (``ValidationError`` naming the dotted path, like
``ingress.0.cidr_blocks.1``) before anything is written; checks and writes happen in one store
transaction, so names stay unique and a failed call changes nothing; every create and delete is
recorded as an event. These services run no controllers: they are records that the compute,
load balancer and auto scaling services read. A security group in use (by a launch template
version, a live instance, or any service implementing :class:`SecurityGroupUser`) cannot be
deleted.

:mod:`fields` holds the field checks (tags, CIDRs, base64 user data ...) with their messages;
other services use them so that the same input gets the same error everywhere.
"""

from gitterra.cloud.ec2 import _fields as fields
from gitterra.cloud.ec2._key_pairs import KeyPairs, parse_public_key
from gitterra.cloud.ec2._launch_templates import LaunchTemplates
from gitterra.cloud.ec2._security_groups import SecurityGroups, SecurityGroupUser

__all__ = [
    "KeyPairs",
    "LaunchTemplates",
    "SecurityGroupUser",
    "SecurityGroups",
    "fields",
    "parse_public_key",
]
