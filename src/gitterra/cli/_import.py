"""``gitterra import ADDR ID``: bring an existing remote object under management."""

from __future__ import annotations

import asyncio

from gitterra import config, engine, lang, state
from gitterra.cli import _flags as flags
from gitterra.cli._state_cmds import render_instance
from gitterra.cli._ui import UI
from gitterra.cli._workdir import Workdir
from gitterra.diag import Diagnostic
from gitterra.engine import _graph, _state_ops
from gitterra.engine._decode_config import decode_body
from gitterra.engine._marks import mark_schema
from gitterra.engine._providers import ProviderSet
from gitterra.lang import functions

FLAGS = (
    flags.Flag("var", kind="list", metavar="NAME=VALUE"),
    flags.Flag("var-file", kind="list", metavar="FILE"),
    flags.Flag("input", default=True),
    flags.Flag("lock", default=True),
    flags.Flag("lock-timeout", kind="str", default="0s"),
    flags.Flag("no-color"),
)

HELP = """Usage: gitterra [global options] import [options] ADDR ID

  Imports the existing object ID into the state at ADDR, which the configuration must
  declare. The object is not changed.

Options:
"""

_NOT_FOUND = (
    'While attempting to import an existing object to "{inst}", the provider detected that no '
    "object exists with the given id. Only pre-existing objects can be imported; check that the "
    "id is correct, or use gitterra apply to create a new remote object for this resource."
)


def run(ui: UI, argv: list[str]) -> int:
    opts = flags.parse(FLAGS, argv)
    if len(opts.args) != 2:
        raise flags.UsageError("import needs exactly two arguments: ADDR and ID")
    try:
        target = engine.parse_target(opts.args[0])
    except engine.AddressError as exc:
        raise flags.UsageError(f"invalid address: {exc}") from None
    if target.resource is None or target.resource.mode != "managed":
        raise flags.UsageError("import needs a managed resource address such as aws_lb.web")
    object_id = opts.args[1]
    wd = Workdir(ui)
    module = wd.load()
    res = _declared(module, target)
    if res is None:
        raise wd.fail(
            Diagnostic.error(
                "Configuration for import target does not exist",
                f"The configuration does not contain a resource block for {target}. Declare it "
                "before importing: the block decides which provider and settings manage it.",
            )
        )
    inst = engine.ResourceInstance(target.module, target.resource, target.key)
    manager = wd.manager(module)
    with wd.locked(manager, "OperationTypeImport", opts):
        current = wd.read_state(manager)
        existing = current.resource(str(inst.abs_resource))
        if existing is not None and existing.instance(inst.key) is not None:
            raise wd.fail(
                Diagnostic.error(
                    "Resource already managed by gitterra",
                    f"gitterra is already managing a remote object for {inst}. To import to "
                    "this address, first remove the existing object from the state.",
                )
            )
        asyncio.run(_import(wd, module, res, inst, object_id, current))
        manager.persist(current)
    rs = current.resource(str(inst.abs_resource))
    assert rs is not None
    obj = rs.instances[inst.key].current
    assert obj is not None
    ui.print(f'{inst}: Importing from ID "{object_id}"...\n{inst}: Import prepared!\n')
    ui.print(render_instance(inst, obj))
    ui.print(ui.style("\nImport successful!", "1;32"))
    ui.print(
        "\nThe resources that were imported are shown above. These resources are now in\n"
        "your gitterra state and will henceforth be managed by gitterra."
    )
    return 0


def _declared(module: config.Module, target: engine.Target) -> config.Resource | None:
    try:
        owner = _graph.module_at(module, target.module.module_path)
    except KeyError:
        return None
    return owner.resources.get(str(target.resource))


async def _import(
    wd: Workdir,
    module: config.Module,
    res: config.Resource,
    inst: engine.ResourceInstance,
    object_id: str,
    current: state.State,
) -> None:
    providers = ProviderSet(wd.registry(), module)
    path = inst.module.module_path
    key = _graph.provider_key(_graph.module_at(module, path), path, module, res.provider)
    try:
        provider = providers.get(key)
        schema = providers.resource_schema(key, "managed", res.type)
        if schema is None:
            raise wd.fail(providers.missing_type(key, "managed", res.type).with_subject(res.rng))
        await _configure(wd, module, providers, key)
        result = await provider.import_resource(res.type, object_id)
        wd.checked(result.diagnostics, None)
        if not result.states:
            raise wd.fail(
                Diagnostic.error(
                    "Cannot import non-existent remote object", _NOT_FOUND.format(inst=inst)
                )
            )
        read = await provider.read_resource(res.type, result.states[0])
        wd.checked(read.diagnostics, None)
        if read.state is None:
            raise wd.fail(
                Diagnostic.error(
                    "Cannot import non-existent remote object", _NOT_FOUND.format(inst=inst)
                )
            )
        value = mark_schema(schema.block, read.state)
        _state_ops.set_current(current, inst, providers.state_address(key), value, schema)
    finally:
        await providers.close()


async def _configure(wd: Workdir, module: config.Module, providers: ProviderSet, key: str) -> None:
    schema = providers.get(key).schema().provider
    ty = schema.implied_type()
    value = lang.object_val({n: lang.null_val(t) for n, t in ty.attrs.items()})
    cfg = module.providers.get(key)
    if cfg is not None:
        scope = lang.Scope({}, functions.builtins(), wd.function_context())
        value, found = decode_body(cfg.config, schema, scope, f'provider "{key}"', cfg.rng)
        wd.checked(found, None)
    wd.checked(await providers.configure(key, value.unmark_deep()), None)
