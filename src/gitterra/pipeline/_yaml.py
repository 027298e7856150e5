"""YAML read as PyYAML's node graph, so every value keeps its place in the file.

``compose`` parses one document into nodes (scalars keep their source text and resolved tag;
merge keys ``<<`` are folded in as YAML 1.1 defines them) or returns a diagnostic at the place
PyYAML stopped. ``Reader`` walks nodes for the decoder: it checks shapes (mapping, list, string),
reports each problem at its node's range and never stops at the first one.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator

import yaml

from gitterra.diag import Diagnostic, Diagnostics, Pos, SourceRange

STR = "tag:yaml.org,2002:str"
NULL = "tag:yaml.org,2002:null"
BOOL = "tag:yaml.org,2002:bool"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
_MERGE = "tag:yaml.org,2002:merge"

_KIND = {
    NULL: "empty",
    BOOL: "a boolean",
    INT: "a number",
    FLOAT: "a number",
    "tag:yaml.org,2002:timestamp": "a date",
    "tag:yaml.org,2002:binary": "binary data",
}

_TRUE = ("yes", "true", "on")
_FALSE = ("no", "false", "off")


def node_range(source: str, node: yaml.Node) -> SourceRange:
    """The range a node covers (a key's range for a key node)."""
    start, end = node.start_mark, node.end_mark
    if end.line > start.line and isinstance(node, yaml.ScalarNode) and node.style is None:
        end = start  # a plain scalar's end mark can sit on the next line; keep the first
    return SourceRange(
        source,
        Pos(start.line + 1, start.column + 1, start.index),
        Pos(end.line + 1, end.column + 1, end.index),
    )


def compose(text: str, source: str) -> tuple[yaml.Node | None, Diagnostic | None]:
    """Parse ``text`` into one document's node graph, or the syntax error as a diagnostic."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        if node is not None:
            _flatten_merges(node, set())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "cannot be parsed"
        where = None
        if mark is not None:
            pos = Pos(mark.line + 1, mark.column + 1, mark.index)
            where = SourceRange(source, pos, pos)
        detail = problem
        if exc.context and exc.problem:
            started = ""
            if exc.context_mark is not None and exc.context_mark is not mark:
                cm = exc.context_mark
                started = f" (line {cm.line + 1}, column {cm.column + 1})"
            detail = f"{exc.context}{started}, {problem}"
        detail = f"{detail[:1].upper()}{detail[1:]}."
        return None, Diagnostic.error("Invalid YAML", detail, where)
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        pos = Pos(line, column, exc.position)
        detail = f"The file holds the character U+{exc.character:04X}, which YAML does not allow."
        return None, Diagnostic.error("Invalid YAML", detail, SourceRange(source, pos, pos))
    except yaml.YAMLError as exc:  # no other kind is known; kept as a message all the same
        return None, Diagnostic.error("Invalid YAML", f"{exc}.")
    return node, None


def _flatten_merges(node: yaml.Node, seen: set[int]) -> None:
    """Fold ``<<`` merge keys into their mappings, as PyYAML's constructor would."""
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        own = [(k, v) for k, v in node.value if k.tag != _MERGE]
        if len(own) != len(node.value):
            yaml.SafeLoader("").flatten_mapping(node)  # merged entries first, then the own ones
            node.value = _merged(node.value[: len(node.value) - len(own)], own) + own
        for key, value in node.value:
            _flatten_merges(key, seen)
            _flatten_merges(value, seen)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _flatten_merges(item, seen)


def _merged(
    merged: list[tuple[yaml.Node, yaml.Node]], own: list[tuple[yaml.Node, yaml.Node]]
) -> list[tuple[yaml.Node, yaml.Node]]:
    """The merged entries a mapping keeps: not those it sets itself, and of those merged twice
    the last (PyYAML's constructor would let the later ones win)."""
    taken = {k.value for k, _ in own if isinstance(k, yaml.ScalarNode)}
    kept: list[tuple[yaml.Node, yaml.Node]] = []
    for key, value in reversed(merged):
        name = key.value if isinstance(key, yaml.ScalarNode) else None
        if name is None or name not in taken:
            taken.add(name)
            kept.append((key, value))
    return kept[::-1]


def kind(node: yaml.Node) -> str:
    """How a value reads to a person: ``a string``, ``a number``, ``a list``, ``a mapping``..."""
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return _KIND.get(node.tag, "a string" if node.tag == STR else f"a {node.tag} value")


class Reader:
    """Reads nodes into Python values, collecting diagnostics about their shape."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.diags = Diagnostics()

    def at(self, node: yaml.Node) -> SourceRange:
        return node_range(self.source, node)

    def error(self, node: yaml.Node, summary: str, detail: str = "") -> None:
        self.diags.add(Diagnostic.error(summary, detail, self.at(node)))

    def warning(self, node: yaml.Node, summary: str, detail: str = "") -> None:
        self.diags.add(Diagnostic.warning(summary, detail, self.at(node)))

    def mapping(self, node: yaml.Node, path: str) -> Iterator[tuple[str, yaml.Node, yaml.Node]]:
        """The entries of a mapping as ``(key, key node, value node)``.

        A node of another shape, a key that is not a string and a repeated key are reported;
        the entries that can be read are still given, the first of a repeated key winning.
        """
        if not isinstance(node, yaml.MappingNode):
            if node.tag != NULL:  # an empty section (``env:``) reads as an empty mapping
                what = path or "A buildspec"
                self.error(node, f"{what} must be a mapping", f"{what} is {kind(node)}.")
            return
        seen: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            where = f"in {path}" if path else "at the top level"
            if not isinstance(key_node, yaml.ScalarNode):
                self.error(key_node, f"Invalid key {where}", "Keys are names, not lists or maps.")
                continue
            key = key_node.value
            if key in seen:
                line = seen[key].start_mark.line + 1
                full = f"{path}.{key}" if path else key
                self.error(
                    key_node,
                    f'Duplicate key "{key}" {where}',
                    f"{full} is already set on line {line}; YAML would keep only one of them.",
                )
                continue
            seen[key] = key_node
            yield key, key_node, value_node

    def unknown(self, key: str, key_node: yaml.Node, path: str, known: Iterable[str]) -> None:
        """Report a key that ``path`` does not accept, with the closest known key if any."""
        names = list(known)
        where = "at the top level" if not path else f"in {path}"
        detail = f"{path or 'A buildspec'} accepts: {', '.join(names)}."
        close = difflib.get_close_matches(key, names, n=1)
        if close:
            detail = f'Did you mean "{close[0]}"? ' + detail
        self.error(key_node, f'Unsupported key "{key}" {where}', detail)

    def string(self, node: yaml.Node, path: str) -> str | None:
        """A scalar's text; any scalar is accepted (``1.10`` stays ``1.10``), lists and maps not."""
        if isinstance(node, yaml.ScalarNode) and node.tag != NULL:
            return str(node.value)
        self.error(node, f"{path} must be a string", f"{path} is {kind(node)}.")
        return None

    def text(self, node: yaml.Node, path: str, fix: str) -> str | None:
        """A scalar that YAML reads as a string; numbers, booleans and empties are refused.

        ``fix`` completes the detail for a person (what to write instead).
        """
        if isinstance(node, yaml.ScalarNode) and node.tag == STR:
            return str(node.value)
        if isinstance(node, yaml.ScalarNode) and node.tag != NULL:
            detail = (
                f'YAML reads {node.value} as {kind(node)}, not a string; {fix}: "{node.value}".'
            )
        elif isinstance(node, yaml.MappingNode):
            detail = (
                'YAML reads it as a mapping: a colon followed by a space (": ") makes the text '
                "before it a key. Put the whole item in quotes."
            )
        elif isinstance(node, yaml.SequenceNode):
            detail = "It is a nested list; each item is one string."
        else:
            detail = "The item is empty: write it after the dash, or remove the dash."
        self.error(node, f"{path} must be a string", detail)
        return None

    def boolean(self, node: yaml.Node, path: str) -> bool | None:
        """``yes``/``no`` (CodeBuild's spelling), also ``true``/``false`` and ``on``/``off``."""
        if isinstance(node, yaml.ScalarNode) and node.tag in (STR, BOOL):
            word = str(node.value).lower()
            if word in _TRUE:
                return True
            if word in _FALSE:
                return False
        self.error(node, f"Invalid value for {path}", f"{path} takes yes or no.")
        return None

    def sequence(self, node: yaml.Node, path: str) -> list[yaml.Node]:
        """The items of a list; anything else is reported (an empty value is an empty list)."""
        if isinstance(node, yaml.SequenceNode):
            return list(node.value)
        if node.tag != NULL:
            self.error(node, f"{path} must be a list", f"{path} is {kind(node)}.")
        return []
