"""``gitterra state list|show|rm|mv|pull|push`` and ``force-unlock``: inspecting and editing the
state directly, under its lock."""

from __future__ import annotations

import json
from pathlib import Path

from gitterra import config, engine, lang, state
from gitterra.cli import _flags as flags
from gitterra.cli._ui import UI
from gitterra.cli._workdir import Workdir
from gitterra.diag import Diagnostic
from gitterra.engine import _values_json as vj

_LOCKING = (
    flags.Flag("lock", default=True, help="Lock the state while changing it."),
    flags.Flag(
        "lock-timeout",
        kind="str",
        default="0s",
        metavar="DURATION",
        help="Retry taking the lock this long.",
    ),
)
LIST_FLAGS = (
    flags.Flag("id", kind="str", metavar="ID", help="Only instances whose id is ID."),
    flags.Flag("state", kind="str"),
)
SHOW_FLAGS = (flags.Flag("state", kind="str"), flags.Flag("no-color"))
RM_FLAGS = (
    *_LOCKING,
    flags.Flag("dry-run", help="Only show what would be removed."),
    flags.Flag("backup", kind="str"),
    flags.Flag("state", kind="str"),
)
MV_FLAGS = RM_FLAGS
PUSH_FLAGS = (
    *_LOCKING,
    flags.Flag("force", help="Write even if lineage or serial say it is unsafe."),
)
UNLOCK_FLAGS = (flags.Flag("force", help="Do not ask for confirmation."),)

UNLOCK_HELP = """Usage: gitterra [global options] force-unlock [-force] LOCK_ID

  Removes the lock with LOCK_ID from the current workspace's state (after a crash left it).

Options:
"""

HELP = """Usage: gitterra [global options] state <subcommand> [options] [args]

  Subcommands: list, show, rm, mv, pull, push.

"""


def _target(text: str) -> engine.Target:
    try:
        return engine.parse_target(text)
    except engine.AddressError as exc:
        raise flags.UsageError(f"invalid address {text!r}: {exc}") from None


def _instances(
    st: state.State,
) -> list[tuple[engine.ResourceInstance, state.ResourceState, state.InstanceState]]:
    out = []
    for rs in st.resources.values():
        ar = _abs(rs)
        for key, inst in rs.instances.items():
            out.append((ar.instance(key), rs, inst))
    return sorted(out, key=lambda t: t[0].sort_key())


def _abs(rs: state.ResourceState) -> engine.AbsResource:
    t = engine.parse_target(rs.address)
    assert t.resource is not None
    return engine.AbsResource(t.module, t.resource)


def run(ui: UI, argv: list[str]) -> int:
    if not argv:
        ui.print(HELP.rstrip())
        return 1
    sub, rest = argv[0], argv[1:]
    handler = {
        "list": _list,
        "show": _show,
        "rm": _rm,
        "mv": _mv,
        "pull": _pull,
        "push": _push,
    }.get(sub)
    if handler is None:
        raise flags.UsageError(
            f'"state {sub}" is not a gitterra command; use list, show, rm, mv, pull or push'
        )
    return handler(ui, rest)


def _open(ui: UI) -> tuple[Workdir, state.Manager]:
    wd = Workdir(ui)
    wd.module = wd.load(validate=False)
    return wd, wd.manager(wd.module)


def _list(ui: UI, argv: list[str]) -> int:
    opts = flags.parse(LIST_FLAGS, argv)
    targets = [_target(a) for a in opts.args]
    wd, manager = _open(ui)
    current = wd.read_state(manager)
    want_id = opts.get_str("id")
    for addr, _rs, inst in _instances(current):
        if targets and not any(t.contains(addr) for t in targets):
            continue
        if inst.current is None:
            continue
        if want_id is not None and inst.current.attributes.get("id") != want_id:
            continue
        ui.print(str(addr))
    return 0


def render_instance(
    addr: engine.ResourceInstance,
    obj: state.ObjectState,
    schema: engine.ResourceSchema | None = None,
) -> str:
    """An object as ``state show`` prints it: Terraform syntax, sensitive values hidden. With
    the resource type's schema, values are read as their types (``any`` attributes unwrapped)."""
    if schema is not None:
        value = engine.object_value(obj, schema)
        items = {k: v for k, v in value.items().items() if not v.is_null}
    else:
        sensitive = {p[0] for p in vj.paths_from_state(obj.sensitive_attributes) if len(p) == 1}
        items = {
            k: lang.from_python(v).mark_sensitive(k in sensitive)
            for k, v in obj.attributes.items()
            if v is not None
        }
    kind = "data" if addr.resource.mode == "data" else "resource"
    res = addr.resource
    lines = [f"# {addr}:", f'{kind} "{res.type}" "{res.name}" {{']
    width = max((len(k) for k in items), default=0)
    for name in sorted(items):
        lines.append(f"    {name:<{width}} = {lang.format_value(items[name], 4)}")
    lines.append("}")
    return "\n".join(lines)


def schema_of(
    wd: Workdir, module: config.Module, rs: state.ResourceState
) -> engine.ResourceSchema | None:
    providers = engine.ProviderSet(wd.registry(), module)
    try:
        key = providers.key_from_state(rs.provider)
        return providers.resource_schema(key, rs.mode, rs.type)
    except engine.ProviderError:
        return None


def _show(ui: UI, argv: list[str]) -> int:
    opts = flags.parse(SHOW_FLAGS, argv)
    if len(opts.args) != 1:
        raise flags.UsageError("state show needs exactly one resource instance address")
    target = _target(opts.args[0])
    wd, manager = _open(ui)
    current = wd.read_state(manager)
    for addr, _rs, inst in _instances(current):
        if inst.current is not None and target.resource is not None and target.contains(addr):
            if (
                not target.has_key
                and addr.key is not None
                and len([1 for a, _, _ in _instances(current) if target.contains(a)]) > 1
            ):
                continue
            assert wd.module is not None
            ui.print(render_instance(addr, inst.current, schema_of(wd, wd.module, _rs)))
            return 0
    raise wd.fail(
        Diagnostic.error(
            "No instance found for the given address",
            f"This command requires that the address references one specific instance; no "
            f"instance matches {opts.args[0]}. Use gitterra state list to see the addresses.",
        )
    )


def _rm(ui: UI, argv: list[str]) -> int:
    opts = flags.parse(RM_FLAGS, argv)
    if not opts.args:
        raise flags.UsageError("state rm needs at least one address")
    targets = [_target(a) for a in opts.args]
    wd, manager = _open(ui)
    with wd.locked(manager, "OperationTypeInvalid", opts):
        current = wd.read_state(manager)
        removed = []
        for addr, rs, _inst in _instances(current):
            if any(t.contains(addr) for t in targets):
                removed.append(addr)
                if not opts.get_bool("dry-run"):
                    del rs.instances[addr.key]
                    if not rs.instances:
                        current.remove_resource(rs.address)
        if not removed:
            raise wd.fail(
                Diagnostic.error(
                    "Invalid target address",
                    f"No matching objects found for {' '.join(opts.args)}.",
                )
            )
        for addr in removed:
            ui.print(f"{'Would remove' if opts.get_bool('dry-run') else 'Removed'} {addr}")
        if not opts.get_bool("dry-run"):
            manager.persist(current)
            ui.print(f"Successfully removed {len(removed)} resource instance(s).")
    return 0


def _mv(ui: UI, argv: list[str]) -> int:
    opts = flags.parse(MV_FLAGS, argv)
    if len(opts.args) != 2:
        raise flags.UsageError("state mv needs a source and a destination address")
    src, dst = _target(opts.args[0]), _target(opts.args[1])
    if src.resource is None or dst.resource is None or src.resource.mode != dst.resource.mode:
        raise flags.UsageError(
            "state mv moves a resource or an instance to another address of the same kind"
        )
    if src.resource.type != dst.resource.type:
        raise flags.UsageError(f"cannot move {src} to {dst}: the resource types differ")
    wd, manager = _open(ui)
    with wd.locked(manager, "OperationTypeInvalid", opts):
        current = wd.read_state(manager)
        moved = _move(current, src, dst)
        if moved == 0:
            raise wd.fail(
                Diagnostic.error(
                    "Invalid source address", f"Cannot move {src}: it does not exist in the state."
                )
            )
        if moved < 0:
            raise wd.fail(
                Diagnostic.error(
                    "Invalid target address",
                    f"Cannot move to {dst}: there is already a resource instance at that address.",
                )
            )
        ui.print(f'Move "{src}" to "{dst}"')
        if not opts.get_bool("dry-run"):
            manager.persist(current)
            ui.print(f"Successfully moved {moved} object(s).")
    return 0


def _move(st: state.State, src: engine.Target, dst: engine.Target) -> int:
    assert src.resource is not None
    assert dst.resource is not None
    source = st.resource(str(engine.AbsResource(src.module, src.resource)))
    if source is None:
        return 0
    dst_addr = str(engine.AbsResource(dst.module, dst.resource))
    target = st.resource(dst_addr)
    if target is None:
        target = state.ResourceState(
            str(dst.module),
            dst.resource.mode,
            dst.resource.type,
            dst.resource.name,
            source.provider,
        )
    keys = [src.key] if src.has_key else list(source.instances)
    if not keys or any(k not in source.instances for k in keys):
        return 0
    moving = {k: source.instances[k] for k in keys}
    if src.has_key:
        new_key = dst.key if dst.has_key else None
        if new_key in target.instances:
            return -1
        inst = moving[src.key]
        inst.index_key = new_key
        target.instances[new_key] = inst
    else:
        if target.instances:
            return -1
        target.instances.update(moving)
    for k in keys:
        del source.instances[k]
    if not source.instances:
        st.remove_resource(source.address)
    st.set_resource(target)
    return len(keys)


def _pull(ui: UI, argv: list[str]) -> int:
    flags.parse((), argv)
    wd, manager = _open(ui)
    current = manager.read()
    if current is not None:
        ui.out.write(state.encode(current).decode("utf-8"))
        ui.out.flush()
    del wd
    return 0


def _push(ui: UI, argv: list[str]) -> int:
    opts = flags.parse(PUSH_FLAGS, argv)
    if len(opts.args) != 1:
        raise flags.UsageError("state push needs one state file (or - for standard input)")
    path = opts.args[0]
    wd, manager = _open(ui)
    try:
        data = ui.inp.read().encode("utf-8") if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise wd.fail(
            Diagnostic.error("Failed to read the state file", f"{path}: {exc.strerror or exc}")
        ) from exc
    try:
        pushed = state.decode(data, path)
    except state.StateError as exc:
        raise wd.fail(Diagnostic.error("Invalid state file", str(exc))) from exc
    with wd.locked(manager, "OperationTypeInvalid", opts):
        current = manager.read()
        if current is not None and not opts.get_bool("force"):
            if current.lineage != pushed.lineage:
                raise wd.fail(
                    Diagnostic.error(
                        "Failed to write state",
                        f'cannot import state with lineage "{pushed.lineage}" over unrelated state '
                        f'with lineage "{current.lineage}"',
                    )
                )
            if pushed.serial < current.serial:
                raise wd.fail(
                    Diagnostic.error(
                        "Failed to write state",
                        f"cannot import state with serial {pushed.serial} over newer state "
                        f"with serial {current.serial}",
                    )
                )
        manager.overwrite(pushed)
    return 0


def run_force_unlock(ui: UI, argv: list[str]) -> int:
    opts = flags.parse(UNLOCK_FLAGS, argv)
    if len(opts.args) != 1:
        raise flags.UsageError("force-unlock needs the lock ID")
    lock_id = opts.args[0]
    wd, manager = _open(ui)
    if not opts.get_bool("force"):
        ui.print(
            "Do you really want to force-unlock?\n  gitterra will remove the lock on the remote "
            "state.\n  This will allow local gitterra commands to modify this state, even though "
            "it may still be in use. Only 'yes' will be accepted to confirm.\n"
        )
        ui.out.write("  Enter a value: ")
        ui.out.flush()
        if ui.inp.readline().strip() != "yes":
            ui.print("force-unlock cancelled.")
            return 1
    try:
        manager.client.force_unlock(lock_id)
    except state.StateError as exc:
        raise wd.fail(Diagnostic.error("Failed to unlock state", str(exc))) from exc
    ui.print(ui.style("gitterra state has been successfully unlocked!", "1;32"))
    ui.print(
        "\nThe state has been unlocked, and gitterra commands should now be able to obtain a "
        "new lock on the remote state."
    )
    return 0


def state_json(st: state.State) -> str:
    return json.dumps(json.loads(state.encode(st)), indent=2)
