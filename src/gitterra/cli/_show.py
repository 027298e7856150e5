"""``gitterra show [-json] [PLANFILE]``: the state, or a saved plan, for people or programs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from gitterra import __version__, engine, state
from gitterra.cli import _flags as flags
from gitterra.cli._output import render_outputs
from gitterra.cli._render_plan import render_plan
from gitterra.cli._state_cmds import _instances, render_instance
from gitterra.cli._state_cmds import schema_of as resource_schema
from gitterra.cli._ui import UI
from gitterra.cli._workdir import Workdir
from gitterra.diag import Diagnostic
from gitterra.engine import _plan_json as plan_json

FLAGS = (flags.Flag("json", help="Machine-readable output."), flags.Flag("no-color"))

HELP = """Usage: gitterra [global options] show [options] [PLAN]

  Shows the current state, or a plan saved with plan -out, in a human-readable form (or as
  JSON with -json).

Options:
"""


def run(ui: UI, argv: list[str]) -> int:
    opts = flags.parse(FLAGS, argv)
    if len(opts.args) > 1:
        raise flags.UsageError("show takes at most one plan file")
    wd = Workdir(ui)
    if opts.args:
        path = Path(opts.args[0])
        try:
            the_plan, sources, _ = engine.read_plan(path.read_bytes(), str(path))
        except OSError as exc:
            raise wd.fail(
                Diagnostic.error("Failed to read the plan file", f"{path}: {exc.strerror}")
            ) from exc
        except engine.PlanFileError as exc:
            raise wd.fail(Diagnostic.error("Failed to read the plan file", str(exc))) from exc
        module = wd.load_snapshot(sources)
        schema_of = engine.schema_lookup(wd.registry(), module)
        if opts.get_bool("json"):
            ui.print(engine.json_dumps(engine.plan_json(the_plan, schema_of, __version__)))
        else:
            ui.print(render_plan(the_plan, schema_of, ui.color))
        return 0
    module = wd.load(validate=False)
    current = wd.read_state(wd.manager(module))
    if opts.get_bool("json"):
        doc = state_values_json(current, lambda rs: resource_schema(wd, module, rs))
        ui.print(engine.json_dumps(doc))
        return 0
    if current.is_empty:
        ui.print("The state file is empty. No resources are represented.")
        return 0
    for addr, rs, inst in _instances(current):
        if inst.current is not None:
            ui.print(render_instance(addr, inst.current, resource_schema(wd, module, rs)) + "\n")
    text = render_outputs(current, ui)
    if text:
        ui.print("\nOutputs:\n\n" + text)
    return 0


def state_values_json(
    st: state.State,
    schema_of: Callable[[state.ResourceState], engine.ResourceSchema | None] = lambda rs: None,
) -> dict[str, object]:
    """Terraform's ``show -json`` layout for a state: format_version and ``values``. With the
    resource types' schemas, values are read as their types (as Terraform prints them, not
    their state encoding) and ``sensitive_values`` says what is sensitive."""
    if st.is_empty:
        return {"format_version": "1.0", "terraform_version": __version__}
    root: dict[str, object] = {"resources": []}
    modules: dict[str, dict[str, object]] = {"": root}
    for addr, rs, inst in _instances(st):
        if inst.current is None:
            continue
        module_key = str(addr.module)
        holder = modules.setdefault(module_key, {"address": module_key, "resources": []})
        resources = holder["resources"]
        assert isinstance(resources, list)
        entry: dict[str, object] = {
            "address": str(addr),
            "mode": rs.mode,
            "type": rs.type,
            "name": rs.name,
            "provider_name": rs.provider.removeprefix('provider["').split('"]')[0],
            "schema_version": inst.current.schema_version,
            "values": inst.current.attributes,
            "sensitive_values": {},
        }
        schema = schema_of(rs)
        if schema is not None:
            value = engine.object_value(inst.current, schema)
            entry["values"] = plan_json.value_json(value)
            entry["sensitive_values"] = plan_json.sensitive_as_bool(value)
        if addr.key is not None:
            entry["index"] = addr.key
        resources.append(entry)
    children = [m for k, m in sorted(modules.items()) if k]
    if children:
        root["child_modules"] = children
    outputs = {
        name: {"sensitive": o.sensitive, "value": o.value, "type": o.type}
        for name, o in sorted(st.outputs.items())
    }
    return {
        "format_version": "1.0",
        "terraform_version": __version__,
        "values": {"outputs": outputs, "root_module": root},
    }
