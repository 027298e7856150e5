"""The dependency graph of a configuration: which declarations must be evaluated before which.

Nodes are declarations of a module *path* (variables, locals, outputs, module calls, resources,
provider configurations); a walk expands each into the module's instances. Edges come from the
references in every expression, ``depends_on``, providers, and module nesting. The graph also
answers which resources a resource depends on (through locals, variables and outputs), which is
what state records and destroy order follows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from gitterra import config, lang
from gitterra.diag import Diagnostic, SourceRange
from gitterra.kits import Graph

NodeKind = Literal["var", "local", "output", "call", "resource", "provider"]


@dataclass(frozen=True, slots=True, order=True)
class Node:
    kind: NodeKind
    path: tuple[str, ...]
    name: str  # declared name; for resources the address "aws_lb.web" / "data.x.y"

    def __str__(self) -> str:
        prefix = "".join(f"module.{p}." for p in self.path)
        if self.kind == "resource":
            return f"{prefix}{self.name}"
        if self.kind == "call":
            return f"{prefix}module.{self.name}"
        if self.kind == "provider":
            return f'provider["{self.name}"]'
        label = {"var": "var", "local": "local", "output": "output"}[self.kind]
        return f"{prefix}{label}.{self.name}"


def module_at(root: config.Module, path: tuple[str, ...]) -> config.Module:
    module = root
    for name in path:
        module = module.children[name]
    return module


def _modules(
    root: config.Module, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], config.Module]]:
    yield path, root
    for name, child in root.children.items():
        yield from _modules(child, (*path, name))


def reference_nodes(expr: lang.Expr, module: config.Module, path: tuple[str, ...]) -> set[Node]:
    """The declarations ``expr`` (in the module at ``path``) refers to."""
    out: set[Node] = set()
    for trav in lang.traversals(expr):
        out |= traversal_nodes(trav, module, path)
    return out


def traversal_nodes(
    trav: lang.Traversal, module: config.Module, path: tuple[str, ...]
) -> set[Node]:
    first, second = trav.attr(0), trav.attr(1)
    root = trav.root
    if root == "var" and first in module.variables:
        return {Node("var", path, first)}
    if root == "local" and first in module.locals:
        return {Node("local", path, first)}
    if root == "module" and first in module.module_calls:
        child = module.children.get(first)
        nodes = {Node("call", path, first)}
        if child is not None:
            names = [second] if second in child.outputs else list(child.outputs)
            nodes |= {Node("output", (*path, first), n) for n in names if n is not None}
        return nodes
    if root == "data" and first is not None and second is not None:
        addr = f"data.{first}.{second}"
        return {Node("resource", path, addr)} if addr in module.resources else set()
    if first is not None and f"{root}.{first}" in module.resources:
        return {Node("resource", path, f"{root}.{first}")}
    return set()


def _body_exprs(body: lang.Body) -> Iterator[lang.Expr]:
    for attr in body.attributes:
        yield attr.expr
    for block in body.blocks:
        yield from _body_exprs(block.body)


def resource_exprs(res: config.Resource) -> Iterator[lang.Expr]:
    for expr in (res.count, res.for_each):
        if expr is not None:
            yield expr
    yield from _body_exprs(res.config)
    yield from res.lifecycle.replace_triggered_by
    for check in (*res.lifecycle.preconditions, *res.lifecycle.postconditions):
        yield check.condition
        yield check.error_message
    for prov in res.provisioners:
        yield from _body_exprs(prov.config)


@dataclass(frozen=True, slots=True)
class ConfigGraph:
    graph: Graph[Node]
    #: For each resource node, the resource nodes it depends on (transitively, through
    #: non-resource nodes only).
    resource_deps: dict[Node, frozenset[Node]]
    #: Provider configuration key ("aws", "aws.west") each resource node uses.
    providers: dict[Node, str]


def provider_key(
    module: config.Module, path: tuple[str, ...], root: config.Module, ref: config.ProviderRef
) -> str:
    """The root provider configuration a resource's provider reference resolves to."""
    key = str(ref)
    # Walk up through module calls, translating names through their `providers` maps.
    while path:
        parent = module_at(root, path[:-1])
        call = parent.module_calls[path[-1]]
        mapping = dict(call.providers)
        mapped = mapping.get(key)
        key = str(mapped) if mapped is not None else key
        path = path[:-1]
    return key


def build(root: config.Module) -> ConfigGraph:
    """The dependency graph of ``root`` and every child module."""
    g: Graph[Node] = Graph()
    providers: dict[Node, str] = {}
    for path, module in _modules(root):
        _add_module(g, root, module, path, providers)
    return ConfigGraph(g, _resource_deps(g), providers)


def _add_edges(g: Graph[Node], node: Node, deps: Iterable[Node]) -> None:
    g.add(node)
    for dep in deps:
        if dep != node:
            g.add_edge(node, dep)


def _ancestors_calls(path: tuple[str, ...]) -> set[Node]:
    return {Node("call", path[:i], path[i]) for i in range(len(path))}


def _add_module(
    g: Graph[Node],
    root: config.Module,
    module: config.Module,
    path: tuple[str, ...],
    providers: dict[Node, str],
) -> None:
    calls = _ancestors_calls(path)
    for name in module.variables:
        node = Node("var", path, name)
        deps: set[Node] = set(calls)
        if path:
            parent_path = path[:-1]
            parent = module_at(root, parent_path)
            call = parent.module_calls[path[-1]]
            for attr in call.inputs:
                if attr.name == name:
                    deps |= reference_nodes(attr.expr, parent, parent_path)
        for check in module.variables[name].validations:
            deps |= {n for n in reference_nodes(check.condition, module, path) if n != node}
        _add_edges(g, node, deps)
    for name, local in module.locals.items():
        _add_edges(g, Node("local", path, name), reference_nodes(local.expr, module, path) | calls)
    for name, out in module.outputs.items():
        deps = reference_nodes(out.expr, module, path) | calls
        for trav in out.depends_on:
            deps |= traversal_nodes(trav, module, path)
        for check in out.preconditions:
            deps |= reference_nodes(check.condition, module, path)
        _add_edges(g, Node("output", path, name), deps)
    for name, call in module.module_calls.items():
        deps = set(calls)
        for expr in (call.count, call.for_each):
            if expr is not None:
                deps |= reference_nodes(expr, module, path)
        for trav in call.depends_on:
            deps |= traversal_nodes(trav, module, path)
        _add_edges(g, Node("call", path, name), deps)
    for addr, res in module.resources.items():
        node = Node("resource", path, addr)
        deps = set(calls)
        for expr in resource_exprs(res):
            deps |= reference_nodes(expr, module, path)
        for trav in res.depends_on:
            deps |= traversal_nodes(trav, module, path)
        key = provider_key(module, path, root, res.provider)
        providers[node] = key
        prov = Node("provider", (), key)
        deps.add(prov)
        _add_edges(g, node, deps)
        if prov not in g or not g.dependencies(prov):
            _add_provider(g, root, key)


def _add_provider(g: Graph[Node], root: config.Module, key: str) -> None:
    node = Node("provider", (), key)
    deps: set[Node] = set()
    cfg = root.providers.get(key)
    if cfg is not None:
        for expr in _body_exprs(cfg.config):
            deps |= reference_nodes(expr, root, ())
    _add_edges(g, node, deps)


def _resource_deps(g: Graph[Node]) -> dict[Node, frozenset[Node]]:
    out: dict[Node, frozenset[Node]] = {}
    for node in g.nodes:
        if node.kind != "resource":
            continue
        found: set[Node] = set()
        stack = list(g.dependencies(node))
        seen: set[Node] = set()
        while stack:
            n = stack.pop()
            if n in seen:
                continue
            seen.add(n)
            if n.kind == "resource":
                found.add(n)
            elif n.kind != "provider":
                stack.extend(g.dependencies(n))
        out[node] = frozenset(found)
    return out


def self_references(root: config.Module) -> list[Diagnostic]:
    """Resources whose own configuration names them (Terraform's "Self-referential block"). The
    graph leaves such edges out, so they are found here; ``self`` is the way to refer to the
    object itself in provisioners."""
    out = []
    for path, module in _modules(root):
        for addr, res in module.resources.items():
            node = Node("resource", path, addr)
            exprs = [e for e in (res.count, res.for_each) if e is not None]
            exprs += _body_exprs(res.config)
            for prov in res.provisioners:
                exprs += _body_exprs(prov.config)
            for expr in exprs:
                for trav in lang.traversals(expr):
                    if node in traversal_nodes(trav, module, path):
                        out.append(
                            Diagnostic.error(
                                "Self-referential block",
                                f"Configuration for {node} may not refer to itself.",
                                trav.rng,
                                res.describe(),
                            )
                        )
    return out


def declaration_range(root: config.Module, node: Node) -> SourceRange | None:
    """Where ``node`` is declared, for messages that name it."""
    try:
        module = module_at(root, node.path)
    except KeyError:
        return None
    decl: config.Resource | config.Local | config.Variable | config.Output | None
    decl = None
    if node.kind == "resource":
        decl = module.resources.get(node.name)
    elif node.kind == "local":
        decl = module.locals.get(node.name)
    elif node.kind == "var":
        decl = module.variables.get(node.name)
    elif node.kind == "output":
        decl = module.outputs.get(node.name)
    elif node.kind == "call":
        call = module.module_calls.get(node.name)
        return call.rng if call is not None else None
    elif node.kind == "provider":
        cfg = root.providers.get(node.name)
        return cfg.rng if cfg is not None else None
    return decl.rng if decl is not None else None
