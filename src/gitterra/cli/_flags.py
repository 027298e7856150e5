"""Command-line flags the way Terraform (Go's ``flag`` package) reads them.

``-name``, ``--name``, ``-name=value`` and ``-name value`` (non-boolean flags); booleans accept
``-name``, ``-name=true`` and ``-name=false``; flags may repeat where declared (``-var``). Parsing
stops at ``--`` or the first positional argument, as Go's does, so ``apply -auto-approve PLAN``
works and a value starting with ``-`` after the positionals is taken literally.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["bool", "str", "int", "list"]


class UsageError(Exception):
    """The command line is malformed; the message says how."""


@dataclass(frozen=True, slots=True)
class Flag:
    name: str
    kind: Kind = "bool"
    default: object = None
    help: str = ""
    metavar: str = "VALUE"


@dataclass(slots=True)
class Parsed:
    values: dict[str, object] = field(default_factory=dict)
    args: list[str] = field(default_factory=list)
    given: set[str] = field(default_factory=set)
    #: Every repeatable flag's values in command-line order, across flags (-var and -var-file
    #: interleave, and the later one wins).
    order: list[tuple[str, str]] = field(default_factory=list)

    def get_bool(self, name: str) -> bool:
        return bool(self.values[name])

    def get_str(self, name: str) -> str | None:
        value = self.values[name]
        return None if value is None else str(value)

    def get_int(self, name: str) -> int:
        value = self.values[name]
        assert isinstance(value, int)
        return value

    def get_list(self, name: str) -> list[str]:
        value = self.values[name]
        assert isinstance(value, list)
        return value


_TRUE = ("1", "t", "T", "true", "TRUE", "True")
_FALSE = ("0", "f", "F", "false", "FALSE", "False")


def parse(flags: Sequence[Flag], argv: Sequence[str], *, interspersed: bool = False) -> Parsed:
    """Parse ``argv`` against ``flags``; raises :class:`UsageError`.

    With ``interspersed``, flags may also follow positional arguments (GNU style, used by
    gitterra's own commands such as ``server``); Terraform's commands keep Go's rule."""
    table = {f.name: f for f in flags}
    out = Parsed()
    for f in flags:
        out.values[f.name] = (
            []
            if f.kind == "list"
            else (f.default if f.default is not None else (False if f.kind == "bool" else None))
        )
    i = 0
    args = list(argv)
    while i < len(args):
        arg = args[i]
        if arg == "--":
            out.args.extend(args[i + 1 :])
            break
        if not arg.startswith("-") or arg == "-":
            if not interspersed:
                out.args.extend(args[i:])
                break
            out.args.append(arg)
            i += 1
            continue
        body = arg[2:] if arg.startswith("--") else arg[1:]
        name, eq, value = body.partition("=")
        flag = table.get(name)
        if flag is None:
            raise UsageError(f"flag provided but not defined: -{name}")
        if flag.kind == "bool":
            if not eq or value in _TRUE:
                out.values[name] = True
            elif value in _FALSE:
                out.values[name] = False
            else:
                raise UsageError(f'invalid boolean value "{value}" for -{name}: use true or false')
        else:
            if not eq:
                if i + 1 >= len(args):
                    raise UsageError(f"flag needs an argument: -{name}")
                i += 1
                value = args[i]
            out.values[name] = _convert(flag, value, out.values[name])
            if flag.kind == "list":
                out.order.append((name, value))
        out.given.add(name)
        i += 1
    return out


def _convert(flag: Flag, value: str, current: object) -> object:
    if flag.kind == "int":
        try:
            return int(value)
        except ValueError:
            raise UsageError(
                f'invalid value "{value}" for -{flag.name}: a whole number is required'
            ) from None
    if flag.kind == "list":
        assert isinstance(current, list)
        return [*current, value]
    return value


def usage(flags: Sequence[Flag]) -> str:
    lines = []
    for f in flags:
        head = f"-{f.name}" if f.kind == "bool" else f"-{f.name}={f.metavar}"
        lines.append(f"  {head:<28} {f.help}")
    return "\n".join(lines)
