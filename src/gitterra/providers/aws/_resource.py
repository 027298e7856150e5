"""What every aws resource and data source type shares: the provider's :class:`Session` (the
target once configured, its region facts, default tags, timing), validation helpers worded as the
AWS provider words them, and the translation of API errors into diagnostics that name the
resource and the attribute at fault."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from gitterra import engine, lang
from gitterra.diag import Diagnostic, Diagnostics
from gitterra.providers import _base
from gitterra.providers.aws import _client, _kit, _target

T = TypeVar("T")


@dataclass(slots=True)
class Session:
    """The provider instance's connection to its target (set by ``configure``)."""

    timing: _client.Timing
    #: The local cloud's client, when the target is the local cloud.
    client: _client.CloudClient | None = None
    target: _target.Target | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    region: str | None = None
    #: The provider's ``default_tags``: merged under each resource's ``tags`` in ``tags_all``.
    default_tags: dict[str, str] = field(default_factory=dict)
    #: Whether applying an auto-scaling group waits for the instance refresh it starts.
    wait_for_refresh: bool = True
    #: The target chosen (known before ``configure``, from GITTERRA_TARGET), for messages.
    kind: _target.TargetKind = "local"

    @property
    def cloud(self) -> _target.Target:
        if self.target is None:
            raise _base.ProviderError("the aws provider was used before it was configured")
        return self.target

    @property
    def url(self) -> str:
        return self.target.where if self.target is not None else "(not configured)"


class WaitTimeout(Exception):
    """A wait ran out of time; the message says what was last seen."""


async def wait_for(
    session: Session, timeout: float, check: Callable[[], Awaitable[tuple[bool, str]]]
) -> str:
    """Poll ``check`` until it answers ``(True, status)``; :class:`WaitTimeout` with the last
    status when ``timeout`` seconds pass first. API errors propagate."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        done, status = await check()
        if done:
            return status
        if loop.time() >= deadline:
            raise WaitTimeout(status)
        await asyncio.sleep(min(session.timing.poll, max(deadline - loop.time(), 0.0)))


# ---- validation -------------------------------------------------------------------------------


def invalid(name: str | tuple[str | int, ...], detail: str) -> Diagnostic:
    path = (name,) if isinstance(name, str) else name
    return Diagnostic.error("Invalid value", detail, attribute=path)


def check_one_of(
    cfg: Mapping[str, Any], name: str, allowed: tuple[str, ...], diags: Diagnostics
) -> None:
    value = cfg.get(name)
    if value is not None and value not in allowed:
        shown = ", ".join(f'"{v}"' for v in allowed)
        diags.add(invalid(name, f'expected {name} to be one of [{shown}], got "{value}"'))


def check_between(
    cfg: Mapping[str, Any], name: str, low: int, high: int, diags: Diagnostics, where: str = ""
) -> None:
    value = cfg.get(name)
    if value is None:
        return
    if not isinstance(value, int) or not low <= value <= high:
        shown = lang.format_number(value) if isinstance(value, int) else repr(value)
        diags.add(
            invalid(
                (*_path(where), name),
                f"expected {where + '.' if where else ''}{name} to be in the range "
                f"({low} - {high}), got {shown}",
            )
        )


def _path(where: str) -> tuple[str | int, ...]:
    if not where:
        return ()
    return tuple(int(p) if p.isdigit() else p for p in where.split("."))


def check_conflicts(cfg: Mapping[str, Any], first: str, second: str, diags: Diagnostics) -> None:
    if cfg.get(first) is not None and cfg.get(second) is not None:
        diags.add(
            Diagnostic.error(
                "Conflicting configuration arguments",
                f'"{first}": conflicts with {second}',
                attribute=(first,),
            )
        )


def check_length(
    cfg: Mapping[str, Any], name: str, max_len: int, diags: Diagnostics, what: str = ""
) -> None:
    value = cfg.get(name)
    if isinstance(value, str) and len(value) > max_len:
        diags.add(
            invalid(
                name,
                f'"{name}" cannot be longer than {max_len} characters{what}, got {len(value)}',
            )
        )


# ---- resource base ----------------------------------------------------------------------------


class CloudResource(_base.ResourceType):
    """A resource type backed by the local cloud's API. Subclasses set ``name``, ``schema``,
    ``label`` (the AWS provider's words for it: "EC2 Security Group"), the names of the
    arguments the local cloud does not support, and how API field names map to attributes."""

    label: ClassVar[str]
    unsupported: ClassVar[tuple[str, ...]] = ()
    #: API field name -> attribute path (dotted), where they differ (to place errors).
    api_fields: ClassVar[Mapping[str, str]] = {}

    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def cloud(self) -> _target.Target:
        return self.session.cloud

    @property
    def block(self) -> engine.BlockSchema:
        return self.schema.block

    def validate(self, config: lang.Value) -> Diagnostics:
        diags = Diagnostics()
        cfg = _kit.py(config)
        target = self.session.kind
        refuse_unsupported(self.name, self.block, cfg, self.unsupported, diags, target)
        self.check(cfg, config, diags)
        refuse_nested_unsupported(
            self.name, self.block, cfg, diags, skip=self.unsupported, target=target
        )
        return diags

    def check(self, cfg: dict[str, Any], config: lang.Value, diags: Diagnostics) -> None:
        """Type-specific checks on the known parts of the configuration (``cfg``: unknown
        values are None here, so checks skip them)."""

    def failed(self, exc: _client.CloudError, verb: str, ident: str) -> Diagnostics:
        """The diagnostic for an API error while ``verb`` (creating, reading ...) ``ident``."""
        return Diagnostics([api_diagnostic(self.label, self.api_fields, exc, verb, ident, self)])

    def state(self, data: Mapping[str, Any]) -> lang.Value:
        return _kit.build(self.block, data)

    def not_found_import(self, ident: str) -> engine.ImportResult:
        return not_found_import(self.name, ident, self.cloud.label)

    def plan_tags(self, planned: lang.Value) -> lang.Value:
        """``tags_all``: the provider's ``default_tags`` under the resource's ``tags``."""
        return _kit.plan_tags(self.block, planned, self.session.default_tags)

    def all_tags(self, p: Mapping[str, Any]) -> dict[str, str]:
        """The tags to give the object: ``tags`` over the provider's ``default_tags``."""
        return _kit.merged_tags(p.get("tags"), self.session.default_tags)

    def tags_state(self, configured: Any, found: Mapping[str, str] | None) -> Any:
        """The ``tags`` attribute after reading (see ``_kit.tags_state``)."""
        return _kit.tags_state(configured, found, self.session.default_tags)


def _refusal(target: _target.TargetKind) -> tuple[str, str]:
    """The summary of a refusal and who cannot honour the argument, in the target's words."""
    if target == "aws":
        return "Not supported by gitterra's aws provider", (
            "gitterra's aws provider (on AWS as on its local cloud: one schema for both)"
        )
    return "Not supported by the local cloud", "gitterra's local cloud"


def refuse_unsupported(
    type_name: str,
    schema: engine.BlockSchema,
    cfg: Mapping[str, Any],
    names: tuple[str, ...],
    diags: Diagnostics,
    target: _target.TargetKind = "local",
) -> None:
    """An error for every argument of ``names`` that asks for something (set, not empty, not
    false), including unsupported nested blocks written in the configuration."""
    summary, who = _refusal(target)
    for name in names:
        value = cfg.get(name)
        if _kit.is_unset(value):
            continue
        kind = "block" if name in schema.blocks else "argument"
        why = "the local cloud would ignore it, and " if target == "local" else ""
        diags.add(
            Diagnostic.error(
                summary,
                f'The {kind} "{name}" of {type_name} is not supported by {who}: remove it '
                f"({why}gitterra does not ignore configuration silently).",
                attribute=(name,),
            )
        )


def refuse_nested_unsupported(
    type_name: str,
    schema: engine.BlockSchema,
    cfg: Mapping[str, Any],
    diags: Diagnostics,
    path: tuple[str | int, ...] = (),
    skip: tuple[str, ...] = (),
    target: _target.TargetKind = "local",
) -> None:
    """The same refusal for arguments inside nested blocks (``instance_refresh { preferences {
    auto_rollback = true } }``): any set argument the schema marks with ``_kit.unsupported``
    that no error of ``diags`` covers yet. Blocks named in ``skip`` are refused whole already."""
    summary, who = _refusal(target)
    for name, nested in schema.blocks.items():
        if name in skip:
            continue
        value = cfg.get(name)
        items = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            where = (*path, name, i)
            for attr_name, attr in nested.block.attributes.items():
                if attr.description != _kit.UNSUPPORTED or _kit.is_unset(item.get(attr_name)):
                    continue
                at = (*where, attr_name)
                if any(d.attribute and d.attribute == at[: len(d.attribute)] for d in diags.errors):
                    continue  # the type's own check refused it (or its block) already
                diags.add(
                    Diagnostic.error(
                        summary,
                        f'The argument "{attr_name}" of {type_name}\'s {name} block is not '
                        f"supported by {who}: remove it (gitterra does not ignore "
                        "configuration silently).",
                        attribute=at,
                    )
                )
            refuse_nested_unsupported(type_name, nested.block, item, diags, where, target=target)


def api_diagnostic(
    label: str,
    fields: Mapping[str, str],
    exc: _client.CloudError,
    verb: str,
    ident: str,
    owner: CloudResource | None = None,
    session: Session | None = None,
) -> Diagnostic:
    """The diagnostic for an error of the target while ``verb`` ``label`` (``ident``):
    the target's words (``The local cloud answered ...``, ``AWS answered ...``), and the
    attribute when the error names an input field (``fields`` maps API names to attributes)."""
    what = f"{verb} {label} ({ident})" if ident else f"{verb} {label}"
    session = session or (owner.session if owner is not None else None)
    target = session.target if session is not None else None
    name = target.label if target is not None else "the local cloud"
    if isinstance(exc, _client.UnreachableError):
        url = session.url if session is not None else "its endpoint"
        hint = target.unreachable_hint if target is not None else "start it with gitterra server."
        return Diagnostic.error(
            f"{what}: {name} is not reachable",
            f"{name[0].upper()}{name[1:]} at {url} is not reachable: {exc.message} — {hint}",
        )
    path: tuple[str | int, ...] = ()
    detail = f"{name[0].upper()}{name[1:]} answered {exc}."
    if isinstance(exc, _client.ApiError) and exc.field:
        parts = exc.field.split(".")
        parts = [*fields.get(parts[0], parts[0]).split("."), *parts[1:]]
        path = tuple(int(p) if p.isdigit() else p for p in parts)
        shown = ".".join(str(p) for p in path)
        detail = f"{name[0].upper()}{name[1:]} refused {shown}: {exc.message} ({exc.code})."
    return Diagnostic.error(f"{what}: {headline(exc.message)}", detail, attribute=path)


def headline(message: str, limit: int = 160) -> str:
    """A one-line summary of ``message`` (its first line, at most ``limit`` characters): the
    whole message stays in the diagnostic's detail."""
    first = message.strip().splitlines()[0] if message.strip() else message
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"


def not_found_import(
    type_name: str, ident: str, where: str = "the local cloud"
) -> engine.ImportResult:
    return engine.ImportResult(
        diagnostics=Diagnostics(
            [
                Diagnostic.error(
                    "Cannot import non-existent remote object",
                    f'{type_name} "{ident}" does not exist in {where}.',
                )
            ]
        )
    )
