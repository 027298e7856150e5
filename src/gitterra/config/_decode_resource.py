"""Decoders for the nested parts of resources (``lifecycle``, provisioners), ``module`` calls and
the ``terraform`` block."""

from __future__ import annotations

from gitterra import lang
from gitterra.config import _model as m
from gitterra.config._decode import Decoder, static_traversal
from gitterra.diag import SourceRange

#: Blocks inside a resource that belong to the language, not to the resource type's schema.
META_BLOCKS = frozenset(("lifecycle", "provisioner", "connection"))

_PROVISIONERS = {"local-exec": ("command", "interpreter", "working_dir", "environment", "quiet")}


def lifecycle(dec: Decoder, body: lang.Body, context: str, mode: str) -> m.Lifecycle:
    blocks = body.blocks_of("lifecycle")
    if not blocks:
        return m.Lifecycle()
    for extra in blocks[1:]:
        dec.error(
            "Duplicate lifecycle block",
            "Only one lifecycle block is allowed in each resource block.",
            extra.type_rng,
            context,
        )
    block = blocks[0]
    dec.check_labels(block, ())
    lc = block.body
    if mode == "data":
        dec.check_body(lc, (), ("precondition", "postcondition"), context)
    else:
        dec.check_body(
            lc,
            ("create_before_destroy", "prevent_destroy", "ignore_changes", "replace_triggered_by"),
            ("precondition", "postcondition"),
            context,
        )
    replace_by: tuple[lang.Expr, ...] = ()
    rtb = lc.attribute("replace_triggered_by")
    if rtb is not None:
        if isinstance(rtb.expr, lang.ast.TupleCons):
            replace_by = rtb.expr.elements
        else:
            dec.error(
                "Invalid replace_triggered_by expression",
                "A list of references to managed resources or their attributes is required.",
                rtb.expr.rng,
                context,
            )
    ignore, ignore_rngs = _ignore_changes(dec, lc.attribute("ignore_changes"), context)
    return m.Lifecycle(
        create_before_destroy=dec.const_bool(lc, "create_before_destroy", context),
        prevent_destroy=dec.const_bool(lc, "prevent_destroy", context),
        ignore_changes=ignore,
        ignore_changes_rngs=ignore_rngs,
        replace_triggered_by=replace_by,
        preconditions=dec.checks(lc, "precondition", context),
        postconditions=dec.checks(lc, "postcondition", context),
    )


def _ignore_changes(
    dec: Decoder, attr: lang.Attribute | None, context: str
) -> tuple[m.IgnoreChanges, tuple[SourceRange, ...]]:
    """The paths and where each is written."""
    if attr is None:
        return (), ()
    expr = attr.expr
    if isinstance(expr, lang.ast.Variable) and expr.name == "all":
        return "all", ()
    if not isinstance(expr, lang.ast.TupleCons):
        dec.error(
            "Invalid ignore_changes",
            'ignore_changes is a list of attribute names (without quotes), or the keyword "all".',
            expr.rng,
            context,
        )
        return (), ()
    paths: list[tuple[str | lang.Value, ...]] = []
    rngs: list[SourceRange] = []
    for elem in expr.elements:
        trav = static_traversal(elem)
        if trav is None:
            # Terraform also accepts quoted names (deprecated); take a plain string literal.
            value = _string_literal(elem)
            if value is None:
                dec.error(
                    "Invalid ignore_changes",
                    "Each element must be an attribute name, optionally followed by attribute "
                    'names or constant keys, such as tags or tags["Name"].',
                    elem.rng,
                    context,
                )
                continue
            paths.append((value,))
        else:
            paths.append((trav.root, *trav.steps))
        rngs.append(elem.rng)
    return tuple(paths), tuple(rngs)


def _string_literal(expr: lang.Expr) -> str | None:
    if isinstance(expr, lang.ast.Literal) and isinstance(expr.value.raw, str):
        return expr.value.raw
    return None


def provisioners(
    dec: Decoder, body: lang.Body, context: str, mode: str
) -> tuple[m.Provisioner, ...]:
    out: list[m.Provisioner] = []
    for block in body.blocks_of("provisioner"):
        if mode == "data":
            dec.error(
                "Unsupported block type",
                "Provisioners are only allowed in managed resources (resource blocks).",
                block.type_rng,
                context,
            )
            continue
        if not dec.check_labels(block, ("type",)):
            continue
        ptype = block.labels[0]
        allowed = _PROVISIONERS.get(ptype)
        if allowed is None:
            dec.error(
                "Unsupported provisioner",
                f'gitterra supports only "local-exec" provisioners; "{ptype}" is not available.',
                block.label_rngs[0],
                context,
            )
            continue
        dec.check_body(
            block.body, (*allowed, "when", "on_failure"), ("connection",), context, ("command",)
        )
        when = _keyword(dec, block.body.attribute("when"), ("create", "destroy"), "create", context)
        on_failure = _keyword(
            dec, block.body.attribute("on_failure"), ("fail", "continue"), "fail", context
        )
        config = lang.Body(
            tuple(a for a in block.body.attributes if a.name not in ("when", "on_failure")),
            (),
            block.body.rng,
        )
        out.append(
            m.Provisioner(
                ptype,
                config,
                "destroy" if when == "destroy" else "create",
                "continue" if on_failure == "continue" else "fail",
                block.def_rng,
            )
        )
    for block in body.blocks_of("connection"):
        dec.error(
            "Unsupported block type",
            "connection blocks are for remote provisioners, which gitterra does not support.",
            block.type_rng,
            context,
        )
    return tuple(out)


def _keyword(
    dec: Decoder, attr: lang.Attribute | None, options: tuple[str, ...], default: str, context: str
) -> str:
    if attr is None:
        return default
    expr = attr.expr
    if isinstance(expr, lang.ast.Variable) and expr.name in options:
        return expr.name
    dec.error(
        f'Invalid "{attr.name}" keyword',
        f"The value must be one of: {', '.join(options)} (a keyword, without quotes).",
        expr.rng,
        context,
    )
    return default


_MODULE_META = ("source", "version", "count", "for_each", "depends_on", "providers")


def module_call(dec: Decoder, block: lang.Block) -> None:
    if not dec.check_labels(block, ("name",)):
        return
    name = block.labels[0]
    context = block.describe()
    body = block.body
    for sub in body.blocks:
        dec.error(
            "Unsupported block type",
            f'Blocks of type "{sub.type}" are not expected in a module block.',
            sub.type_rng,
            context,
        )
    source_attr = body.attribute("source")
    if source_attr is None:
        dec.error(
            "Missing required argument",
            'The argument "source" is required, but no definition was found.',
            block.def_rng,
            context,
        )
        return
    source = dec.const_str(body, "source", context)
    if body.attribute("count") is not None and body.attribute("for_each") is not None:
        dec.error(
            'Invalid combination of "count" and "for_each"',
            'The "count" and "for_each" meta-arguments are mutually-exclusive.',
            block.def_rng,
            context,
        )
    providers: list[tuple[str, m.ProviderRef]] = []
    prov_attr = body.attribute("providers")
    if prov_attr is not None:
        if isinstance(prov_attr.expr, lang.ast.ObjectCons):
            for item in prov_attr.expr.items:
                key = static_traversal(item.key) if item.bare_key is None else None
                child_name = item.bare_key or (str(key.root) if key else "")
                ref = dec.provider_ref(
                    lang.Attribute("providers", item.value, prov_attr.rng, prov_attr.name_rng),
                    context,
                )
                if child_name and ref is not None:
                    providers.append((child_name, ref))
        else:
            dec.error(
                "Invalid providers argument",
                "providers is a map from the child module's provider names to this module's "
                "provider configurations: { aws = aws.west }.",
                prov_attr.expr.rng,
                context,
            )
    call = m.ModuleCall(
        name=name,
        source=source,
        source_rng=source_attr.expr.rng,
        inputs=tuple(a for a in body.attributes if a.name not in _MODULE_META),
        count=_expr(body.attribute("count")),
        for_each=_expr(body.attribute("for_each")),
        depends_on=dec.traversal_list(body.attribute("depends_on"), context),
        providers=tuple(providers),
        rng=block.def_rng,
    )
    if dec.unique(
        "module",
        name,
        block.def_rng,
        "Duplicate module call",
        f'A module call named "{name}" was already defined. Module calls must have unique names '
        "within a module.",
    ):
        dec.module.module_calls[name] = call


def _expr(attr: lang.Attribute | None) -> lang.Expr | None:
    return None if attr is None else attr.expr


def terraform(dec: Decoder, block: lang.Block) -> None:
    dec.check_labels(block, ())
    context = "terraform"
    body = block.body
    for sub in body.blocks_of("cloud"):
        dec.error(
            "Unsupported block type",
            "gitterra keeps state in its own backends; Terraform Cloud (the cloud block) is not "
            'available. Use backend "http", "local" or "s3".',
            sub.type_rng,
            context,
        )
    dec.check_body(
        body,
        ("required_version", "experiments"),
        ("backend", "required_providers", "cloud", "provider_meta"),
        context,
    )
    experiments = body.attribute("experiments")
    if experiments is not None:
        dec.error(
            "Unsupported argument",
            "gitterra has no language experiments.",
            experiments.name_rng,
            context,
        )
    if body.attribute("required_version") is not None:
        dec.module.required_version = dec.const_str(body, "required_version", context)
    for backend in body.blocks_of("backend"):
        if not dec.check_labels(backend, ("type",)):
            continue
        if dec.module.backend is not None:
            dec.error(
                "Duplicate backend configuration",
                f"A module may have only one backend configuration; the first is at "
                f"{dec.module.backend.rng}.",
                backend.def_rng,
                context,
            )
            continue
        dec.module.backend = m.Backend(backend.labels[0], backend.body, backend.def_rng)
    for req in body.blocks_of("required_providers"):
        _required_providers(dec, req)


def _required_providers(dec: Decoder, block: lang.Block) -> None:
    context = "terraform.required_providers"
    for sub in block.body.blocks:
        dec.error(
            "Unsupported block type",
            "required_providers holds only name = { ... } entries.",
            sub.type_rng,
            context,
        )
    for attr in block.body.attributes:
        val = dec.const(attr, context)
        if val is None:
            continue
        source, version = f"hashicorp/{attr.name}", ""
        if val.type == lang.STRING and val.is_known and not val.is_null:
            version = val.as_str()  # the legacy form: aws = "~> 5.0"
        elif isinstance(val.type, lang.ObjectType) and val.is_wholly_known():
            items = val.items()
            for key in items:
                if key not in ("source", "version", "configuration_aliases"):
                    dec.error(
                        "Unsupported argument",
                        f'"{key}" is not expected in a required_providers entry.',
                        attr.expr.rng,
                        context,
                    )
            src = items.get("source")
            ver = items.get("version")
            if src is not None and src.type == lang.STRING:
                source = src.as_str()
            if ver is not None and ver.type == lang.STRING:
                version = ver.as_str()
        else:
            dec.error(
                "Invalid required_providers entry",
                'Each entry is { source = "...", version = "..." }.',
                attr.expr.rng,
                context,
            )
            continue
        dec.module.required_providers[attr.name] = m.RequiredProvider(attr.name, source, version)
