"""``validate`` against provider schemas: every resource and data block of a module tree checked
as ``terraform validate`` does once providers are installed.

The configuration alone (``config.validate``) knows references, functions and types; this adds
what only the provider knows: the resource type exists, each argument and nested block is one
the type has, required arguments are set, values convert to the attribute's type, the
provider's own static checks, and ``ignore_changes`` names. Variables, resources and
``count``/``each`` are unknown here, so nothing that depends on them is judged. No provider is
configured and nothing remote is called.
"""

from __future__ import annotations

from gitterra import config, lang
from gitterra.diag import Diagnostic, Diagnostics
from gitterra.engine._decode_config import decode_body, place
from gitterra.engine._graph import _modules, provider_key
from gitterra.engine._lifecycle import check_ignore_changes
from gitterra.engine._provider import ProviderRegistry
from gitterra.engine._providers import ProviderError, ProviderSet


async def validate(
    root: config.Module, registry: ProviderRegistry, fctx: lang.FunctionContext, cwd: str
) -> Diagnostics:
    """Every schema problem of ``root`` and its child modules (the module must already have
    passed ``config.validate``: its references resolve)."""
    diags = Diagnostics()
    providers = ProviderSet(registry, root)
    try:
        for path, module in _modules(root):
            opts = config.ScopeOptions(cwd=cwd, unknown_variables=True)
            scope, _ = config.module_scope(module, fctx, opts)
            for res in module.resources.values():
                key = provider_key(module, path, root, res.provider)
                diags.extend(_resource(res, key, providers, scope))
    finally:
        await providers.close()
    return diags


def _resource(
    res: config.Resource, key: str, providers: ProviderSet, scope: lang.Scope
) -> list[Diagnostic]:
    try:
        provider = providers.get(key)
    except ProviderError as exc:
        return [Diagnostic.error("Provider not available", str(exc), res.rng)]
    schema = providers.resource_schema(key, res.mode, res.type)
    if schema is None:
        return [providers.missing_type(key, res.mode, res.type).with_subject(res.rng)]
    value, found = decode_body(
        res.config, schema.block, scope.child(unknown_repetition(res)), res.describe(), res.rng
    )
    out = list(found)
    if found.has_errors:
        return out
    checked = (
        provider.validate_resource(res.type, value.unmark_deep())
        if res.mode == "managed"
        else provider.validate_data_source(res.type, value.unmark_deep())
    )
    out += place(checked, res.config, res.rng, res.describe())
    if res.mode == "managed":
        out += check_ignore_changes(res, schema.block)
    return out


def unknown_repetition(res: config.Resource) -> dict[str, lang.Value]:
    """``count.index`` and ``each`` as unknowns, for checking a body without expanding it."""
    bindings: dict[str, lang.Value] = {}
    if res.count is not None:
        bindings["count"] = lang.object_val({"index": lang.unknown_val(lang.NUMBER)})
    if res.for_each is not None:
        bindings["each"] = lang.object_val(
            {"key": lang.unknown_val(lang.STRING), "value": lang.DYNAMIC_UNKNOWN}
        )
    return bindings
