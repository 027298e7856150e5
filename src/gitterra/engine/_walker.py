"""The part of plan and apply walks that is the same in both: variables, locals, outputs, module
call expansion and provider configuration. Planner and applier add what they do to resources.
"""

from __future__ import annotations

import abc
import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping

from gitterra import config, lang
from gitterra.diag import Diagnostic, DiagnosticError, Diagnostics, SourceRange
from gitterra.engine._addrs import Key, ModuleInstance
from gitterra.engine._context import Expansion, WalkContext
from gitterra.engine._decode_config import decode_body
from gitterra.engine._graph import ConfigGraph, Node, module_at
from gitterra.engine._providers import ProviderError, ProviderSet
from gitterra.kits import walk


class Walker(abc.ABC):
    """Evaluates the non-resource nodes of a configuration graph; subclasses say what a
    resource node does (plan it, or apply its planned changes)."""

    def __init__(
        self,
        ctx: WalkContext,
        cg: ConfigGraph,
        providers: ProviderSet,
        inputs: Mapping[str, lang.Value],
        diags: Diagnostics,
        parallelism: int = 10,
    ) -> None:
        self.ctx = ctx
        self.cg = cg
        self.providers = providers
        self.inputs = inputs
        self.diags = diags
        self.parallelism = parallelism
        #: At most ``parallelism`` resource instance operations (provider calls) at a time,
        #: across the whole walk: Terraform's -parallelism.
        self.operations = asyncio.Semaphore(parallelism)
        #: Bindings (count/each) of each module instance's call, for evaluating its inputs.
        self.call_bindings: dict[ModuleInstance, dict[str, lang.Value]] = {}

    async def run(self) -> bool:
        result = await walk(self.cg.graph, self.visit, self.parallelism)
        return result.ok

    async def visit(self, node: Node) -> bool:
        try:
            match node.kind:
                case "var":
                    return self.variable(node)
                case "local":
                    return self.local(node)
                case "output":
                    return self.output(node)
                case "call":
                    return self.call(node)
                case "provider":
                    return await self.provider(node)
                case "resource":
                    return await self.resource(node)
        except DiagnosticError as exc:
            self.diags.extend(exc.diagnostics)
            return False
        raise AssertionError(f"unknown node kind {node.kind}")

    async def each_instance(
        self, keys: Iterable[Key], work: Callable[[Key], Awaitable[bool]]
    ) -> bool:
        """Run ``work`` for every instance key concurrently, each holding one of the walk's
        operation slots (in key order when slots are scarce); whether all succeeded. An
        exception cancels the others and propagates (a bug, not a user error)."""

        async def one(key: Key) -> bool:
            async with self.operations:
                return await work(key)

        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(one(k)) for k in keys]
        return all(t.result() for t in tasks)

    @abc.abstractmethod
    async def resource(self, node: Node) -> bool:
        """Visit a resource node; False when it failed (its dependents are skipped)."""

    def evaluate(
        self, expr: lang.Expr, scope: lang.Scope, context: str | None = None
    ) -> lang.Value:
        try:
            return lang.evaluate(expr, scope)
        except DiagnosticError as exc:
            raise DiagnosticError(*(d.with_context(context) for d in exc.diagnostics)) from None

    # ---- variables ----

    def variable(self, node: Node) -> bool:
        module = module_at(self.ctx.root, node.path)
        decl = module.variables[node.name]
        ok = True
        for mi in self.ctx.instances_of(node.path):
            value = self._variable_value(mi, decl)
            if value is None:
                ok = False
                continue
            self.ctx.modules[mi].variables[decl.name] = value.mark_sensitive(decl.sensitive)
            ok = self._validate_variable(mi, decl) and ok
        return ok

    def _variable_value(self, mi: ModuleInstance, decl: config.Variable) -> lang.Value | None:
        if mi.is_root:
            if decl.name in self.inputs:
                return self.inputs[decl.name]
            if decl.default is not None:
                return decl.default
            self.diags.add(
                Diagnostic.error(
                    "No value for required variable",
                    f'The root module input variable "{decl.name}" is not set, and has no default '
                    "value. Use a -var or -var-file command line argument to provide a value for "
                    "this variable.",
                    decl.rng,
                )
            )
            return None
        parent = mi.parent
        call = self.ctx.modules[parent].config.module_calls[mi.steps[-1][0]]
        given = next((a for a in call.inputs if a.name == decl.name), None)
        if given is None:
            return decl.default if decl.default is not None else lang.null_val(decl.type)
        scope = self.ctx.scope(parent, self.call_bindings.get(mi, {}))
        raw = self.evaluate(given.expr, scope, f'module "{call.name}"')
        if raw.is_null and not decl.nullable:
            # A non-nullable variable given null takes its default (Terraform's rule); with no
            # default, null is an error.
            if decl.default is not None:
                return decl.default
            self.diags.add(
                Diagnostic.error(
                    "Invalid value for input variable",
                    f"The given value is not suitable for {mi}.var.{decl.name}: required attribute "
                    "value must not be null.",
                    given.expr.rng,
                )
            )
            return None
        try:
            return lang.convert(raw, decl.type)
        except lang.ConversionError as exc:
            self.diags.add(
                Diagnostic.error(
                    "Invalid value for input variable",
                    f"The given value is not suitable for {mi}.var.{decl.name} declared at "
                    f"{decl.rng}: {exc.describe()}.",
                    given.expr.rng,
                )
            )
            return None

    def _validate_variable(self, mi: ModuleInstance, decl: config.Variable) -> bool:
        ok = True
        scope = self.ctx.scope(mi)
        for check in decl.validations:
            if not self._check(
                check, scope, "Invalid value for variable", f'variable "{decl.name}"'
            ):
                ok = False
        return ok

    def _check(self, check: config.Check, scope: lang.Scope, summary: str, context: str) -> bool:
        cond = self.evaluate(check.condition, scope, context)
        if not cond.is_known:
            return True
        try:
            passed = lang.convert(cond, lang.BOOL)
        except lang.ConversionError:
            passed = lang.null_val(lang.BOOL)
        if passed.is_null:
            self.diags.add(
                Diagnostic.error(
                    "Invalid condition result",
                    "The condition expression must produce true or false, not null or a value "
                    "of another type.",
                    check.condition.rng,
                    context,
                )
            )
            return False
        if passed.raw is True:
            return True
        message = self.evaluate(check.error_message, scope, context)
        text = (
            message.as_str()
            if message.type is lang.STRING and message.is_known and not message.is_null
            else "(unknown)"
        )
        if message.sensitive:
            text = "(sensitive value)"
        self.diags.add(
            Diagnostic.error(
                summary,
                f"{text}\n\nThis was checked by the condition at {check.rng}.",
                check.condition.rng,
                context,
            )
        )
        return False

    # ---- locals and outputs ----

    def local(self, node: Node) -> bool:
        module = module_at(self.ctx.root, node.path)
        local = module.locals[node.name]
        for mi in self.ctx.instances_of(node.path):
            self.ctx.modules[mi].locals[node.name] = self.evaluate(
                local.expr, self.ctx.scope(mi), "locals"
            )
        return True

    def output(self, node: Node) -> bool:
        module = module_at(self.ctx.root, node.path)
        out = module.outputs[node.name]
        context = f'output "{out.name}"'
        for mi in self.ctx.instances_of(node.path):
            scope = self.ctx.scope(mi)
            for check in out.preconditions:
                if not self._check(check, scope, "Output precondition failed", context):
                    return False
            value = self.evaluate(out.expr, scope, context)
            if mi.is_root and value.contains_sensitive() and not out.sensitive:
                self.diags.add(
                    Diagnostic.error(
                        "Output refers to sensitive values",
                        "To reduce the risk of accidentally exporting sensitive data that was "
                        "intended to be only internal, Terraform requires that any root module "
                        "output containing sensitive data be explicitly marked as sensitive, to "
                        "confirm your intent. If you do intend to export this data, annotate the "
                        "output value as sensitive by adding the following argument:\n"
                        "    sensitive = true",
                        out.rng,
                    )
                )
                return False
            self.ctx.modules[mi].outputs[out.name] = value.mark_sensitive(out.sensitive)
        return True

    # ---- module calls ----

    def call(self, node: Node) -> bool:
        module = module_at(self.ctx.root, node.path)
        call = module.module_calls[node.name]
        ok = True
        for mi in self.ctx.instances_of(node.path):
            exp = self.expand(
                self.ctx.scope(mi), call.count, call.for_each, f'module "{call.name}"'
            )
            self.ctx.modules[mi].calls[call.name] = exp
            if exp is None:
                ok = False
                continue
            for key in exp.keys:
                child = mi.child(call.name, key)
                self.ctx.add_module(child)
                self.call_bindings[child] = exp.bindings(key)
        return ok

    def expand(
        self, scope: lang.Scope, count: lang.Expr | None, for_each: lang.Expr | None, context: str
    ) -> Expansion | None:
        """The instances ``count``/``for_each`` ask for; None (with a diagnostic) when invalid
        or not yet known."""
        if count is not None:
            return self._count(self.evaluate(count, scope, context), count.rng, context)
        if for_each is not None:
            return self._for_each(self.evaluate(for_each, scope, context), for_each.rng, context)
        return Expansion.single()

    def _count(self, value: lang.Value, rng: SourceRange, context: str) -> Expansion | None:
        problem = None
        if not value.is_known:
            problem = (
                'The "count" value depends on resource attributes that cannot be determined '
                "until apply, so gitterra cannot predict how many instances will be created. "
                "To work around this, use -target to first apply only the resources that the "
                "count depends on."
            )
        elif value.is_null:
            problem = "The given count argument value is null. An integer is required."
        else:
            try:
                n = lang.convert(value.unmark(), lang.NUMBER).as_number()
            except lang.ConversionError:
                n = None
            if not isinstance(n, int) or n < 0:
                problem = (
                    "The given count argument value is unsuitable: a whole number greater than "
                    "or equal to zero is required."
                )
            else:
                return Expansion("list", list(range(n)))
        self.diags.add(Diagnostic.error("Invalid count argument", problem, rng, context))
        return None

    def _for_each(self, value: lang.Value, rng: SourceRange, context: str) -> Expansion | None:
        problem = None
        ty = value.type
        if not value.is_known or (not value.is_wholly_known() and isinstance(ty, lang.SetType)):
            problem = (
                'The "for_each" value depends on resource attributes that cannot be determined '
                "until apply, so gitterra cannot predict how many instances will be created. "
                "To work around this, use -target to first apply only the resources that the "
                "for_each depends on."
            )
        elif value.is_null:
            problem = (
                'The given "for_each" argument value is null. A map, or set of strings is allowed.'
            )
        elif value.sensitive:
            problem = (
                "Sensitive values, or values derived from sensitive values, cannot be used as "
                "for_each arguments: the keys would appear in resource addresses."
            )
        elif isinstance(ty, lang.SetType) and ty.element in (lang.STRING, lang.DYNAMIC):
            keys: list[Key] = [e.as_str() for e in value.elements() if not e.is_null]
            return Expansion("map", keys, {k: lang.string_val(str(k)) for k in keys})
        elif isinstance(ty, lang.MapType | lang.ObjectType):
            items = value.items()
            map_keys: list[Key] = []
            map_keys.extend(sorted(items))
            return Expansion("map", map_keys, {k: items[k] for k in items})
        else:
            problem = (
                'The given "for_each" argument value is unsuitable: the "for_each" argument must '
                "be a map, or set of strings, and you have provided a value of type "
                f"{ty.friendly()}."
            )
        self.diags.add(Diagnostic.error("Invalid for_each argument", problem, rng, context))
        return None

    # ---- providers ----

    def _use(self, key: str) -> tuple[SourceRange | None, str | None]:
        """Where the configuration asks for provider ``key`` (its provider block, else the first
        resource using it), with that block as context."""
        cfg = self.ctx.root.providers.get(key)
        if cfg is not None:
            return cfg.rng, f'provider "{key}"'
        for node in sorted(n for n, k in self.cg.providers.items() if k == key):
            res = module_at(self.ctx.root, node.path).resources[node.name]
            return res.rng, res.describe()
        return None, None

    async def provider(self, node: Node) -> bool:
        key = node.name
        try:
            provider = self.providers.get(key)
        except ProviderError as exc:
            self.diags.add(Diagnostic.error("Provider not available", str(exc), *self._use(key)))
            return False
        cfg = self.ctx.root.providers.get(key)
        schema = provider.schema().provider
        if cfg is None:
            value = lang.Value(
                schema.implied_type(),
                {n: lang.null_val(t) for n, t in schema.implied_type().attrs.items()},
            )
        else:
            value, found = decode_body(
                cfg.config, schema, self.ctx.scope(ModuleInstance()), f'provider "{key}"', cfg.rng
            )
            if found.has_errors:
                self.diags.extend(found)
                return False
        configured = await self.providers.configure(key, value.unmark_deep())
        self.diags.extend(configured)
        return not configured.has_errors
