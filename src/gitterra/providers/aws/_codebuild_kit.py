"""What the three ``aws_codebuild_*`` types share: the API's dotted field paths turned into
attribute paths (CodeBuild's single objects are one-element list blocks in Terraform, so
``source.buildspec`` is ``source.0.buildspec``), the refusal of nested arguments the local
cloud cannot honour, and the rule that keeps an unset argument null in state when the cloud
reports its default (so the configuration and the state agree, and a value changed outside
still shows as drift)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gitterra import engine, lang
from gitterra.diag import Diagnostic, Diagnostics
from gitterra.providers.aws import _client, _resource

_LISTS = (list, tuple)


def keep_null(prior: Any, found: Any, default: Any) -> Any:
    """``found``, except None when the prior value (the plan, or the state before a refresh)
    was None and the cloud reports its own default: the argument was not set."""
    if prior is None and found == default:
        return None
    return found


def first(value: Any) -> dict[str, Any]:
    """The object of a one-element list block in plain data (empty when absent)."""
    if isinstance(value, _LISTS) and value and isinstance(value[0], Mapping):
        return dict(value[0])
    return {}


def schema_path(schema: engine.BlockSchema, dotted: str) -> tuple[str | int, ...]:
    """The attribute path of an API field: ``environment.environment_variable.2.name`` is
    ``("environment", 0, "environment_variable", 2, "name")`` — an index is inserted after
    each list block the API writes as one object."""
    out: list[str | int] = []
    parts = dotted.split(".")
    block: engine.BlockSchema | None = schema
    i = 0
    while i < len(parts):
        part = parts[i]
        out.append(int(part) if part.isdigit() else part)
        nb = block.blocks.get(part) if block is not None else None
        block = nb.block if nb is not None else None
        if nb is not None and nb.nesting in ("list", "set"):
            following = parts[i + 1] if i + 1 < len(parts) else None
            if following is not None and following.isdigit():
                out.append(int(following))
                i += 1
            elif nb.max_items == 1:
                out.append(0)
        i += 1
    return tuple(out)


def refuse(path: tuple[str | int, ...], what: str, diags: Diagnostics) -> None:
    """An error for a nested argument the local cloud cannot honour (``what`` says why)."""
    shown = ".".join(str(p) for p in path)
    diags.add(
        Diagnostic.error(
            "Not supported by the local cloud",
            f'"{shown}" is not supported by gitterra\'s local cloud: {what}',
            attribute=path,
        )
    )


def check_choice(
    value: Any,
    path: tuple[str | int, ...],
    allowed: tuple[str, ...],
    diags: Diagnostics,
    elsewhere: tuple[str, ...] = (),
) -> None:
    """``value`` (when known) is one of ``allowed``; the values of ``elsewhere`` are the real
    provider's that the local cloud cannot honour, refused as such."""
    if value is None or value in allowed:
        return
    shown = ".".join(str(p) for p in path)
    listed = ", ".join(f'"{v}"' for v in allowed)
    if value in elsewhere:
        refuse(path, f'"{value}" cannot run here; use one of [{listed}]', diags)
        return
    diags.add(_resource.invalid(path, f'expected {shown} to be one of [{listed}], got "{value}"'))


class CodeBuildResource(_resource.CloudResource):
    """A CodeBuild type: API errors are placed with :func:`schema_path`."""

    def failed(self, exc: _client.CloudError, verb: str, ident: str) -> Diagnostics:
        if isinstance(exc, _client.ApiError) and exc.field:
            path = ".".join(str(p) for p in schema_path(self.block, exc.field))
            placed = type(exc)(exc.status, exc.code, exc.message, path)
            placed.__cause__ = exc
            exc = placed
        return super().failed(exc, verb, ident)


def is_null(value: lang.Value, *path: str | int) -> bool:
    """Whether the configuration value at ``path`` is known to be null (an unknown value, or
    a missing block element, is not)."""
    current = value
    for step in path:
        if not current.is_known or current.is_null:
            return False
        if isinstance(step, int):
            elements = current.elements()
            if step >= len(elements):
                return False
            current = elements[step]
        else:
            current = current.items()[step]
    return current.is_known and current.is_null
