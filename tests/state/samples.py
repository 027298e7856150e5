"""Sample states shared by the state and backend tests."""

from __future__ import annotations

from decimal import Decimal

from gitterra import state

AWS = 'provider["registry.terraform.io/hashicorp/aws"]'


def sample_state(lineage: str = "0b6ac1e4-5b0e-4d3e-9c1b-3a4f1f0e2d7c") -> state.State:
    """A state with a bit of everything: count and for_each keys, a module, a data source,
    a tainted object, a deposed object, outputs (one sensitive)."""
    s = state.State(serial=0, lineage=lineage)
    web = state.ResourceState("", "managed", "aws_instance", "web", AWS)
    for i in range(2):
        web.instances[i] = state.InstanceState(
            i,
            state.ObjectState(
                {"id": f"i-{i}", "tags": {"Name": f"web-{i}"}, "cpu": Decimal("0.5")},
                schema_version=1,
                dependencies=["aws_security_group.sg"],
            ),
        )
    web.instances[1].deposed["0badc0de"] = state.ObjectState({"id": "i-old"}, status="tainted")
    s.set_resource(web)
    sg = state.ResourceState("", "managed", "aws_security_group", "sg", AWS)
    sg.instances[None] = state.InstanceState(
        None,
        state.ObjectState(
            {"id": "sg-1", "ingress": [{"from_port": 80, "cidr": "0.0.0.0/0"}]},
            sensitive_attributes=[[{"type": "get_attr", "value": "secret"}]],
            private="eyJzY2hlbWFfdmVyc2lvbiI6IjEifQ==",
        ),
    )
    s.set_resource(sg)
    lb = state.ResourceState('module.site["blue"]', "managed", "aws_lb", "front", AWS + ".west")
    lb.instances[None] = state.InstanceState(
        None, state.ObjectState({"dns_name": "lb.local", "arn": "arn:<x>&y"})
    )
    s.set_resource(lb)
    ami = state.ResourceState("", "data", "aws_ami", "base", AWS)
    ami.instances[None] = state.InstanceState(None, state.ObjectState({"id": "ami-1"}))
    s.set_resource(ami)
    s.outputs["url"] = state.OutputState("http://lb.local/", "string", False)
    s.outputs["password"] = state.OutputState("hunter2", "string", True)
    return s
