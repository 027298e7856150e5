"""Hand-built plans for the plan JSON, plan file and plan rendering tests.

Each builder returns a :class:`Plan` of ``ResourceChange`` objects with ``lang`` values, made the
way the planner makes them: values of the schema's implied type, unknown where only apply can
tell, sensitive where the schema or the configuration says so.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from gitterra import lang, state
from gitterra.engine._addrs import ROOT, ModuleInstance, Resource, ResourceInstance
from gitterra.engine._plan import Action, OutputChange, Plan, Reason, ResourceChange
from gitterra.engine._schema import Attribute, BlockSchema, NestedBlock

AWS = 'provider["registry.terraform.io/hashicorp/aws"]'
RANDOM = 'provider["registry.terraform.io/hashicorp/random"]'

S, N, B = lang.STRING, lang.NUMBER, lang.BOOL
U = lang.unknown_val


def req(ty: lang.Type, **kw: Any) -> Attribute:
    return Attribute(ty, required=True, **kw)


def opt(ty: lang.Type, **kw: Any) -> Attribute:
    return Attribute(ty, optional=True, **kw)


def comp(ty: lang.Type, **kw: Any) -> Attribute:
    return Attribute(ty, computed=True, **kw)


INGRESS = BlockSchema(
    {
        "from_port": req(N),
        "to_port": req(N),
        "cidr_blocks": opt(lang.ListType(S)),
    }
)

INSTANCE = BlockSchema(
    attributes={
        "id": comp(S),
        "ami": req(S, force_new=True),
        "instance_type": req(S),
        "tags": opt(lang.MapType(S)),
        "user_data": opt(S, force_new=True),
        "password": opt(S, sensitive=True),
        "port": opt(N),
        "monitoring": opt(B),
        "security_groups": opt(lang.SetType(S)),
    },
    blocks={
        "ingress": NestedBlock(INGRESS, "list"),
        "root_block_device": NestedBlock(
            BlockSchema({"volume_size": opt(N), "encrypted": opt(B)}), "single"
        ),
        "setting": NestedBlock(BlockSchema({"value": req(S)}), "map"),
        "rule": NestedBlock(BlockSchema({"port": req(N)}), "set"),
    },
)

PET = BlockSchema({"id": comp(S), "length": opt(N, force_new=True), "prefix": opt(S)})

AMI = BlockSchema({"id": comp(S), "name": req(S), "owners": opt(lang.ListType(S))})

SCHEMAS = {"aws_instance": INSTANCE, "random_pet": PET, "aws_ami": AMI}


def schema_of(change: ResourceChange) -> BlockSchema | None:
    return SCHEMAS.get(change.addr.resource.type)


def addr(
    rtype: str, name: str, key: int | str | None = None, module: ModuleInstance = ROOT
) -> ResourceInstance:
    mode = "data" if rtype == "aws_ami" else "managed"
    return ResourceInstance(module, Resource(mode, rtype, name), key)


def obj(schema: BlockSchema, **values: Any) -> lang.Value:
    """A value of ``schema``'s type: given attributes, the rest null (or empty blocks)."""
    ty = schema.implied_type()
    items: dict[str, lang.Value] = {}
    for name, attr_ty in ty.attrs.items():
        if name in values:
            items[name] = _conv(values[name], attr_ty)
        elif name in schema.blocks and schema.blocks[name].nesting in ("list", "set"):
            items[name] = lang.Value(attr_ty, ())
        elif name in schema.blocks and schema.blocks[name].nesting == "map":
            items[name] = lang.Value(attr_ty, {})
        else:
            items[name] = lang.null_val(attr_ty)
    return lang.Value(ty, items)


def _conv(v: Any, ty: lang.Type) -> lang.Value:
    if isinstance(v, lang.Value):
        if v.type == ty or not v.is_known:
            return v if v.type == ty else lang.Value(ty, v.raw, v.sensitive)
        return lang.Value(ty, v.raw, v.sensitive) if v.raw is None else _retype(v, ty)
    if v is None:
        return lang.null_val(ty)
    if isinstance(ty, lang.ListType | lang.SetType):
        elems = tuple(_conv(e, ty.element) for e in v)
        if isinstance(ty, lang.SetType):
            elems = lang.canonical_set(elems)
        return lang.Value(ty, elems)
    if isinstance(ty, lang.MapType):
        return lang.Value(ty, {k: _conv(e, ty.element) for k, e in v.items()})
    if isinstance(ty, lang.ObjectType):
        return lang.Value(ty, {k: _conv(v.get(k), t) for k, t in ty.attrs.items()})
    return lang.convert(lang.from_python(v), ty)


def _retype(v: lang.Value, ty: lang.Type) -> lang.Value:
    inner = _conv(v.unmark().to_python() if v.is_wholly_known() else v.raw, ty)
    return inner.mark_sensitive(v.sensitive)


def secret(v: Any) -> lang.Value:
    return lang.from_python(v).mark_sensitive()


def change(
    rtype: str,
    name: str,
    action: Action,
    before: lang.Value | None,
    after: lang.Value | None,
    key: int | str | None = None,
    **kw: Any,
) -> ResourceChange:
    provider = RANDOM if rtype.startswith("random") else AWS
    return ResourceChange(addr(rtype, name, key), action, provider, before, after, **kw)


def web_before() -> lang.Value:
    return obj(
        INSTANCE,
        id="i-0abc",
        ami="ami-1",
        instance_type="t3.micro",
        tags={"Name": "web", "Env": "dev"},
        port=8080,
        monitoring=False,
        security_groups=["default", "web"],
        ingress=[{"from_port": 80, "to_port": 80, "cidr_blocks": ["0.0.0.0/0"]}],
        root_block_device={"volume_size": 8, "encrypted": False},
    )


def full_plan() -> Plan:
    """Every action, reason, unknowns, sensitive values, nested blocks, deposed objects,
    modules, outputs and drift."""
    web = web_before()
    web_after_update = obj(
        INSTANCE,
        id="i-0abc",
        ami="ami-1",
        instance_type="t3.small",
        tags={"Name": "web", "Env": "prod", "Team": "ops"},
        port=8080,
        monitoring=True,
        security_groups=["default", "web", "ssh"],
        ingress=[
            {"from_port": 80, "to_port": 80, "cidr_blocks": ["0.0.0.0/0"]},
            {"from_port": 443, "to_port": 443, "cidr_blocks": ["10.0.0.0/8"]},
        ],
        root_block_device={"volume_size": 16, "encrypted": False},
    )
    created = obj(
        INSTANCE,
        id=U(S),
        ami="ami-2",
        instance_type="t3.micro",
        tags={"Name": "api"},
        user_data="#!/bin/sh\necho hello\nexec server\n",
        password=secret("hunter2"),
        port=Decimal("8080.5"),
        security_groups=U(lang.SetType(S)),
        setting={"a": {"value": "x"}, "b": {"value": "y"}},
        rule=[{"port": 22}],
    )
    replaced_before = obj(
        INSTANCE, id="i-old", ami="ami-1", instance_type="t3.micro", tags={"Name": "db"}
    )
    replaced_after = obj(
        INSTANCE, id=U(S), ami="ami-2", instance_type="t3.micro", tags={"Name": "db"}
    )
    pet = obj(PET, id="happy-cat", length=2, prefix=None)
    changes = [
        change("aws_instance", "web", Action.UPDATE, web, web_after_update),
        change("aws_instance", "api", Action.CREATE, None, created),
        change(
            "aws_instance",
            "db",
            Action.DELETE_THEN_CREATE,
            replaced_before,
            replaced_after,
            reason=Reason.CANNOT_UPDATE,
            replace_paths=(("ami",),),
        ),
        change(
            "aws_instance",
            "cache",
            Action.CREATE_THEN_DELETE,
            replaced_before,
            replaced_after,
            reason=Reason.TAINTED,
            create_before_destroy=True,
        ),
        change("random_pet", "name", Action.DELETE, pet, None, key=2, reason=Reason.COUNT_INDEX),
        change("random_pet", "each", Action.DELETE, pet, None, key="a", reason=Reason.EACH_KEY),
        change("random_pet", "gone", Action.DELETE, pet, None, reason=Reason.NO_RESOURCE_CONFIG),
        change("random_pet", "old", Action.DELETE, pet, None, deposed="abcd1234"),
        change(
            "random_pet",
            "req",
            Action.DELETE_THEN_CREATE,
            pet,
            obj(PET, id=U(S), length=2),
            reason=Reason.BY_REQUEST,
        ),
        change("random_pet", "same", Action.NOOP, pet, pet),
        change(
            "aws_ami",
            "latest",
            Action.READ,
            None,
            obj(AMI, id=U(S), name="ubuntu", owners=U(lang.ListType(S))),
            reason=Reason.READ_CONFIG_UNKNOWN,
        ),
        ResourceChange(
            addr("random_pet", "child", 0, ROOT.child("app", "blue")),
            Action.CREATE,
            RANDOM,
            None,
            obj(PET, id=U(S), length=3, prefix="app"),
            dependencies=("random_pet.name",),
        ),
    ]
    outputs = (
        OutputChange("url", Action.CREATE, None, U(S)),
        OutputChange(
            "ids",
            Action.UPDATE,
            lang.from_python(["a", "b"]),
            lang.tuple_val([lang.string_val("a"), U(S)]),
        ),
        OutputChange("db_password", Action.CREATE, None, secret("s3cr3t"), sensitive=True),
        OutputChange("old", Action.DELETE, lang.string_val("bye"), None),
        OutputChange("same", Action.NOOP, lang.number_val(1), lang.number_val(1)),
    )
    drifted = obj(
        INSTANCE,
        id="i-0abc",
        ami="ami-1",
        instance_type="t3.micro",
        tags={"Name": "web", "Env": "hacked"},
        port=8080,
        monitoring=False,
        security_groups=["default", "web"],
        ingress=[{"from_port": 80, "to_port": 80, "cidr_blocks": ["0.0.0.0/0"]}],
        root_block_device={"volume_size": 8, "encrypted": False},
    )
    drift = (
        change("aws_instance", "web", Action.UPDATE, drifted, web),
        change("random_pet", "vanished", Action.DELETE, pet, None),
    )
    return Plan(
        changes=tuple(sorted(changes, key=lambda c: c.sort_key)),
        outputs=outputs,
        variables={"region": lang.string_val("eu-west-1"), "count": lang.number_val(3)},
        prior_lineage="9f3c2d1e-0000-4000-8000-000000000000",
        prior_serial=7,
        drift=drift,
        prior_state=prior_state(),
    )


def prior_state() -> state.State:
    s = state.State(serial=7, lineage="9f3c2d1e-0000-4000-8000-000000000000")
    rs = state.ResourceState("", "managed", "random_pet", "name", RANDOM)
    rs.instances[2] = state.InstanceState(
        2, current=state.ObjectState({"id": "happy-cat", "length": 2, "prefix": None})
    )
    s.set_resource(rs)
    s.outputs["old"] = state.OutputState("bye", "string")
    return s
