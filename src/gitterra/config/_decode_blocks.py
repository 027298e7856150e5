"""Decoders for each top-level block type (``variable``, ``resource``, ``module`` ...)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from gitterra import lang
from gitterra.config import _decode_resource
from gitterra.config import _model as m
from gitterra.config._decode import NAME, TOP_BLOCKS, UNSUPPORTED_TOP, Decoder, suggest
from gitterra.diag import DiagnosticError

_META = ("count", "for_each", "depends_on", "provider")


def decode_file(dec: Decoder, body: lang.Body) -> None:
    """Add the declarations of one file's top-level body to ``dec.module``."""
    for attr in body.attributes:
        dec.error(
            "Unsupported argument",
            f'An argument named "{attr.name}" is not expected here: the top level of a '
            "configuration file holds only blocks.",
            attr.name_rng,
        )
    for block in body.blocks:
        handler = _HANDLERS.get(block.type)
        if handler is not None:
            handler(dec, block)
        elif block.type in UNSUPPORTED_TOP:
            dec.error(
                "Unsupported block type",
                f'gitterra does not support {UNSUPPORTED_TOP[block.type]} ("{block.type}" '
                "blocks) yet; remove the block.",
                block.type_rng,
            )
        else:
            dec.error(
                "Unsupported block type",
                f'Blocks of type "{block.type}" are not expected here.'
                + suggest(block.type, TOP_BLOCKS),
                block.type_rng,
            )


def variable(dec: Decoder, block: lang.Block) -> None:
    if not dec.check_labels(block, ("name",)):
        return
    name = block.labels[0]
    context = block.describe()
    if name in _RESERVED_VARIABLES:
        dec.error(
            "Invalid variable name",
            f'The variable name "{name}" is reserved due to its special meaning inside module '
            "blocks.",
            block.label_rngs[0],
        )
        return
    body = block.body
    dec.check_body(
        body,
        ("type", "default", "description", "sensitive", "nullable", "ephemeral"),
        ("validation",),
        context,
    )
    ty: lang.Type = lang.DYNAMIC
    type_attr = body.attribute("type")
    if type_attr is not None:
        try:
            ty = lang.type_from_expr(type_attr.expr)
        except DiagnosticError as exc:
            dec.diags.extend(d.with_context(context) for d in exc.diagnostics)
    nullable = dec.const_bool(body, "nullable", context, default=True)
    default: lang.Value | None = None
    default_attr = body.attribute("default")
    if default_attr is not None:
        raw = dec.const(default_attr, context)
        if raw is not None:
            default = _convert_default(dec, raw, ty, default_attr, context)
    if dec.unique(
        "variable",
        name,
        block.def_rng,
        "Duplicate variable declaration",
        f'A variable named "{name}" was already declared. Variable names must be unique within '
        "a module.",
    ):
        dec.module.variables[name] = m.Variable(
            name=name,
            type=ty,
            default=default,
            description=dec.const_str(body, "description", context),
            sensitive=dec.const_bool(body, "sensitive", context),
            nullable=nullable,
            validations=dec.checks(body, "validation", context),
            rng=block.def_rng,
            type_given=type_attr is not None,
        )


_RESERVED_VARIABLES = frozenset(
    ("source", "version", "providers", "count", "for_each", "lifecycle", "depends_on", "locals")
)


def _convert_default(
    dec: Decoder, raw: lang.Value, ty: lang.Type, attr: lang.Attribute, ctx: str
) -> lang.Value:
    if raw.is_null:
        # A null default makes the variable optional with a null value.
        return lang.null_val(ty)
    try:
        return lang.convert(raw, ty)
    except lang.ConversionError as exc:
        dec.error(
            "Invalid default value for variable",
            f"This default value is not compatible with the variable's type constraint: "
            f"{exc.describe()}.",
            attr.expr.rng,
            ctx,
        )
        return lang.unknown_val(ty)


def output(dec: Decoder, block: lang.Block) -> None:
    if not dec.check_labels(block, ("name",)):
        return
    name = block.labels[0]
    context = block.describe()
    body = block.body
    dec.check_body(
        body,
        ("value", "description", "sensitive", "depends_on", "ephemeral"),
        ("precondition",),
        context,
        required=("value",),
        missing_rng=block.def_rng,
    )
    value = body.attribute("value")
    if value is None:
        return
    if dec.unique(
        "output",
        name,
        block.def_rng,
        "Duplicate output definition",
        f'An output named "{name}" was already defined. Output names must be unique within a '
        "module.",
    ):
        dec.module.outputs[name] = m.Output(
            name=name,
            expr=value.expr,
            description=dec.const_str(body, "description", context),
            sensitive=dec.const_bool(body, "sensitive", context),
            depends_on=dec.traversal_list(body.attribute("depends_on"), context),
            preconditions=dec.checks(body, "precondition", context),
            rng=block.def_rng,
        )


def resource(dec: Decoder, block: lang.Block, mode: Literal["managed", "data"]) -> None:
    if not dec.check_labels(block, ("type", "name")):
        return
    rtype, name = block.labels
    context = block.describe()
    body = block.body
    meta = _META if mode == "managed" else ("count", "for_each", "depends_on", "provider")
    # Resource-type arguments are checked against the provider's schema later; here we check
    # only the meta-arguments and meta-blocks.
    count = body.attribute("count")
    for_each = body.attribute("for_each")
    if count is not None and for_each is not None:
        dec.error(
            'Invalid combination of "count" and "for_each"',
            'The "count" and "for_each" meta-arguments are mutually-exclusive, only one should be '
            "used to be explicit about the number of resources to be created.",
            for_each.name_rng,
            context,
        )
    provider = m.ProviderRef(rtype.split("_", 1)[0])
    provider_attr = body.attribute("provider")
    if provider_attr is not None:
        provider = dec.provider_ref(provider_attr, context) or provider

    lifecycle = _decode_resource.lifecycle(dec, body, context, mode)
    provisioners = _decode_resource.provisioners(dec, body, context, mode)
    config = lang.Body(
        tuple(a for a in body.attributes if a.name not in meta),
        tuple(b for b in body.blocks if b.type not in _decode_resource.META_BLOCKS),
        body.rng,
    )
    key = f"{'data.' if mode == 'data' else ''}{rtype}.{name}"
    kind = "resource" if mode == "managed" else "data"
    if dec.unique(
        "resource",
        key,
        block.def_rng,
        f'Duplicate {kind} "{rtype}" configuration',
        f'A {kind} {rtype} named "{name}" was already declared. Resource names must be unique '
        "per type in each module.",
    ):
        dec.module.resources[key] = m.Resource(
            mode=mode,
            type=rtype,
            name=name,
            config=config,
            count=None if count is None else count.expr,
            for_each=None if for_each is None else for_each.expr,
            depends_on=dec.traversal_list(body.attribute("depends_on"), context),
            provider=provider,
            provider_given=provider_attr is not None,
            lifecycle=lifecycle,
            provisioners=provisioners,
            rng=block.def_rng,
        )


def provider(dec: Decoder, block: lang.Block) -> None:
    if not dec.check_labels(block, ("name",)):
        return
    name = block.labels[0]
    context = block.describe()
    alias_attr = block.body.attribute("alias")
    alias = None
    if alias_attr is not None:
        alias = dec.const_str(block.body, "alias", context) or None
        if alias is not None and not NAME.match(alias):
            dec.error(
                "Invalid provider configuration alias",
                "An alias must be a valid name.",
                alias_attr.expr.rng,
                context,
            )
    cfg = m.ProviderConfig(
        name,
        alias,
        lang.Body(
            tuple(a for a in block.body.attributes if a.name not in ("alias", "version")),
            block.body.blocks,
            block.body.rng,
        ),
        block.def_rng,
    )
    if dec.unique(
        "provider",
        cfg.key,
        block.def_rng,
        "Duplicate provider configuration",
        f'A provider configuration for "{cfg.key}" was already given. Each configuration '
        "for the same provider must have a distinct alias.",
    ):
        dec.module.providers[cfg.key] = cfg


_Handler = Callable[[Decoder, lang.Block], None]

_HANDLERS: dict[str, _Handler] = {
    "variable": variable,
    "output": output,
    "resource": lambda dec, block: resource(dec, block, "managed"),
    "data": lambda dec, block: resource(dec, block, "data"),
    "module": _decode_resource.module_call,
    "provider": provider,
    "terraform": _decode_resource.terraform,
    "locals": lambda dec, block: locals_block(dec, block),
}


def locals_block(dec: Decoder, block: lang.Block) -> None:
    dec.check_labels(block, ())
    for sub in block.body.blocks:
        dec.error(
            "Unsupported block type",
            f'Blocks of type "{sub.type}" are not expected in locals; locals holds only '
            "name = value arguments.",
            sub.type_rng,
        )
    for attr in block.body.attributes:
        if not NAME.match(attr.name):
            dec.error(
                "Invalid local value name",
                "A name must start with a letter or underscore and may contain only letters, "
                "digits, underscores, and dashes.",
                attr.name_rng,
            )
            continue
        if dec.unique(
            "local",
            attr.name,
            attr.name_rng,
            "Duplicate local value definition",
            f'A local value named "{attr.name}" was already defined. Local value names must be '
            "unique within a module.",
        ):
            dec.module.locals[attr.name] = m.Local(attr.name, attr.expr, attr.name_rng)
