"""``gitterra output``: the root module's outputs from state."""

from __future__ import annotations

from gitterra import engine, lang, state
from gitterra.cli import _flags as flags
from gitterra.cli._ui import UI
from gitterra.cli._workdir import Workdir
from gitterra.engine import _values_json as vj

FLAGS = (
    flags.Flag("json", help="Print the outputs as a JSON object."),
    flags.Flag("raw", help="Print one string, number or bool output without quotes."),
    flags.Flag("no-color", help="Do not use colour in the output."),
    flags.Flag("state", kind="str", metavar="PATH", help="Accepted for compatibility."),
)

HELP = """Usage: gitterra [global options] output [options] [NAME]

  Reads an output variable from the state. With no NAME, all outputs are shown.

Options:
"""


def output_value(out: state.OutputState) -> lang.Value:
    try:
        ty = vj.type_from_json(out.type)
    except ValueError:
        ty = lang.DYNAMIC
    return vj.from_json(out.value, ty)


def render_outputs(st: state.State, ui: UI) -> str:
    """``name = value`` lines, Terraform-style (sensitive outputs shown as <sensitive>)."""
    lines = []
    for name in sorted(st.outputs):
        out = st.outputs[name]
        shown = "<sensitive>" if out.sensitive else lang.format_value(output_value(out))
        lines.append(f"{name} = {shown}")
    del ui
    return "\n".join(lines)


def run(ui: UI, argv: list[str]) -> int:
    opts = flags.parse(FLAGS, argv)
    if len(opts.args) > 1:
        raise flags.UsageError("output takes at most one output name")
    wd = Workdir(ui)
    module = wd.load(validate=False)
    current = wd.read_state(wd.manager(module))
    name = opts.args[0] if opts.args else None
    if name is not None and name not in current.outputs:
        ui.error(
            f'\nError: Output "{name}" not found\n\nThe output variable requested could not be '
            "found in the state file. If you recently added this to your configuration, be sure "
            "to run `gitterra apply`, since the state won't be updated with new output variables "
            "until that command is run.\n"
        )
        return 1
    if opts.get_bool("json"):
        if name is not None:
            ui.print(engine.json_dumps(current.outputs[name].value, indent=2))
        else:
            doc = {
                k: {"sensitive": o.sensitive, "type": o.type, "value": o.value}
                for k, o in sorted(current.outputs.items())
            }
            ui.print(engine.json_dumps(doc, indent=2))
        return 0
    if opts.get_bool("raw"):
        if name is None:
            raise flags.UsageError("-raw needs an output name")
        value = output_value(current.outputs[name])
        if not value.type.is_primitive or value.is_null:
            ui.error(
                "\nError: Unsupported value for raw output\n\nThe -raw option only supports "
                f'strings, numbers, and boolean values, but output value "{name}" is '
                f"{value.type.friendly()}.\n"
            )
            return 1
        ui.out.write(lang.convert(value, lang.STRING).as_str())
        ui.out.flush()
        return 0
    if name is not None:
        out = current.outputs[name]
        ui.print(lang.format_value(output_value(out)))
        return 0
    if not current.outputs:
        ui.error(
            "\nWarning: No outputs found\n\nThe state file either has no outputs defined, or all "
            "the defined outputs are empty. Please define an output in your configuration with "
            "the `output` keyword and run `gitterra apply` for it to become available.\n"
        )
        return 0
    ui.print(render_outputs(current, ui))
    return 0
