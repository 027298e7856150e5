"""What a plan or apply walk knows so far, and the scopes expressions are evaluated in.

Every module instance has its variables, locals and outputs; every resource its expansion (the
instance keys ``count``/``for_each`` gave) and the current value of each instance (planned during
plan, applied during apply). A scope for a module instance exposes them under Terraform's names
(``var``, ``local``, ``aws_lb``, ``data``, ``module``, ``path``, ``terraform``), built lazily so a
large module costs nothing until a name is read.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from gitterra import config, lang
from gitterra.diag import Diagnostic, SourceRange
from gitterra.engine._addrs import AbsResource, Key, ModuleInstance, Resource
from gitterra.lang import functions


@dataclass(slots=True)
class Expansion:
    """The instances ``count`` or ``for_each`` produced: keys in order, each's ``each.value``."""

    kind: str | None  # None (single), "list" (count) or "map" (for_each)
    keys: list[Key]
    each_values: dict[Key, lang.Value] = field(default_factory=dict)

    @staticmethod
    def single() -> Expansion:
        return Expansion(None, [None])

    def bindings(self, key: Key) -> dict[str, lang.Value]:
        if self.kind == "list":
            assert isinstance(key, int)
            return {"count": lang.object_val({"index": lang.number_val(key)})}
        if self.kind == "map":
            assert isinstance(key, str)
            return {
                "each": lang.object_val(
                    {"key": lang.string_val(key), "value": self.each_values.get(key, lang.NULL)}
                )
            }
        return {}


@dataclass(slots=True)
class ModuleData:
    instance: ModuleInstance
    config: config.Module
    variables: dict[str, lang.Value] = field(default_factory=dict)
    locals: dict[str, lang.Value] = field(default_factory=dict)
    outputs: dict[str, lang.Value] = field(default_factory=dict)
    #: Expansions of this module's module calls (None while unknown).
    calls: dict[str, Expansion | None] = field(default_factory=dict)


@dataclass(slots=True)
class ResourceData:
    expansion: Expansion | None  # None: not known (yet)
    values: dict[Key, lang.Value] = field(default_factory=dict)
    type: lang.Type = lang.DYNAMIC


class WalkContext:
    """The shared, growing knowledge of one walk (see the module docstring)."""

    def __init__(
        self,
        root: config.Module,
        fctx: lang.FunctionContext,
        cwd: str,
        workspace: str = "default",
    ) -> None:
        self.root = root
        self.fctx = fctx
        self.cwd = cwd
        self.workspace = workspace
        self.functions = functions.builtins()
        #: Per module configuration: managed resource names by type, data names by type.
        self._index: dict[
            int, tuple[dict[str, list[str]], dict[str, list[str]], dict[str, set[str]]]
        ] = {}
        self.modules: dict[ModuleInstance, ModuleData] = {
            ModuleInstance(): ModuleData(ModuleInstance(), root)
        }
        self.resources: dict[AbsResource, ResourceData] = {}

    # ---- module instances ----

    def module_config(self, path: tuple[str, ...]) -> config.Module:
        module = self.root
        for name in path:
            module = module.children[name]
        return module

    def instances_of(self, path: tuple[str, ...]) -> list[ModuleInstance]:
        return sorted(mi for mi in self.modules if mi.module_path == path)

    def add_module(self, mi: ModuleInstance) -> ModuleData:
        data = self.modules.get(mi)
        if data is None:
            data = ModuleData(mi, self.module_config(mi.module_path))
            self.modules[mi] = data
        return data

    # ---- values for references ----

    def resource_value(self, ar: AbsResource) -> lang.Value:
        data = self.resources.get(ar)
        if data is None or data.expansion is None:
            return lang.DYNAMIC_UNKNOWN
        exp = data.expansion
        unknown = lang.unknown_val(data.type)
        if exp.kind is None:
            return data.values.get(None, unknown)
        if exp.kind == "list":
            return lang.tuple_val(data.values.get(k, unknown) for k in exp.keys)
        return lang.object_val({str(k): data.values.get(k, unknown) for k in exp.keys})

    def module_value(self, mi: ModuleInstance, name: str) -> lang.Value:
        exp = self.modules[mi].calls.get(name)
        if exp is None:
            return lang.DYNAMIC_UNKNOWN
        child_cfg = self.modules[mi].config.children.get(name)

        def outputs(key: Key) -> lang.Value:
            child = self.modules.get(mi.child(name, key))
            declared = child_cfg.outputs if child_cfg is not None else {}
            got = child.outputs if child is not None else {}
            return lang.object_val({o: got.get(o, lang.DYNAMIC_UNKNOWN) for o in declared})

        if exp.kind is None:
            return outputs(None)
        if exp.kind == "list":
            return lang.tuple_val(outputs(k) for k in exp.keys)
        return lang.object_val({str(k): outputs(k) for k in exp.keys})

    def index(
        self, module: config.Module
    ) -> tuple[dict[str, list[str]], dict[str, list[str]], dict[str, set[str]]]:
        """``(managed names by type, data names by type, managed name sets by type)`` of a
        module, computed once."""
        found = self._index.get(id(module))
        if found is None:
            managed: dict[str, list[str]] = {}
            data: dict[str, list[str]] = {}
            for r in module.resources.values():
                (managed if r.mode == "managed" else data).setdefault(r.type, []).append(r.name)
            found = (managed, data, {t: set(names) for t, names in managed.items()})
            self._index[id(module)] = found
        return found

    # ---- scopes ----

    def scope(
        self, mi: ModuleInstance, bindings: Mapping[str, lang.Value] | None = None
    ) -> lang.Scope:
        data = self.modules[mi]
        module = data.config
        variables: dict[str, lang.Value | lang.Namespace] = {
            "var": lang.Namespace(data.variables, _missing("input variable", module.variables)),
            "local": lang.Namespace(data.locals, _missing("local value", module.locals)),
            "path": lang.object_val(
                {
                    "module": lang.string_val(module.path),
                    "root": lang.string_val(self.root.path),
                    "cwd": lang.string_val(posixpath.normpath(self.cwd)),
                }
            ),
            "terraform": lang.object_val({"workspace": lang.string_val(self.workspace)}),
            "module": lang.Namespace(_Calls(self, mi)),
            "data": lang.Namespace(_DataTypes(self, mi)),
        }
        for rtype, names in self.index(module)[0].items():
            variables[rtype] = lang.Namespace(_Resources(self, mi, rtype, names))
        if bindings:
            variables.update(bindings)
        return lang.Scope(variables, self.functions, self.fctx)


def _missing(what: str, declared: Mapping[str, object]) -> lang.MissingMember:
    def missing(name: str, rng: SourceRange) -> Diagnostic:
        if name in declared:
            return Diagnostic.error(
                f"Unavailable {what}",
                f'The {what} "{name}" has no value here because evaluating it failed.',
                rng,
            )
        return Diagnostic.error(
            f"Reference to undeclared {what}", f'No {what} "{name}" is declared.', rng
        )

    return missing


class _Resources(Mapping[str, lang.Value]):
    """``aws_lb.<name>`` for one module instance, built on demand."""

    def __init__(self, ctx: WalkContext, mi: ModuleInstance, rtype: str, names: list[str]) -> None:
        self.ctx, self.mi, self.rtype = ctx, mi, rtype
        self.names = names

    def __getitem__(self, name: str) -> lang.Value:
        if name not in self.ctx.index(self.ctx.modules[self.mi].config)[2][self.rtype]:
            raise KeyError(name)
        return self.ctx.resource_value(AbsResource(self.mi, Resource("managed", self.rtype, name)))

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)


class _DataTypes(Mapping[str, lang.Value]):
    """``data.<type>`` for one module instance: objects of data source values."""

    def __init__(self, ctx: WalkContext, mi: ModuleInstance) -> None:
        self.ctx, self.mi = ctx, mi
        self.by_type = ctx.index(ctx.modules[mi].config)[1]

    def __getitem__(self, rtype: str) -> lang.Value:
        names = self.by_type[rtype]
        return lang.object_val(
            {
                n: self.ctx.resource_value(AbsResource(self.mi, Resource("data", rtype, n)))
                for n in names
            }
        )

    def __iter__(self) -> Iterator[str]:
        return iter(self.by_type)

    def __len__(self) -> int:
        return len(self.by_type)


class _Calls(Mapping[str, lang.Value]):
    """``module.<name>`` for one module instance: the child's outputs."""

    def __init__(self, ctx: WalkContext, mi: ModuleInstance) -> None:
        self.ctx, self.mi = ctx, mi
        self.names = list(ctx.modules[mi].config.module_calls)

    def __getitem__(self, name: str) -> lang.Value:
        if name not in self.names:
            raise KeyError(name)
        return self.ctx.module_value(self.mi, name)

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)
