"""Saved plan files: what ``plan -out=FILE`` writes and ``apply FILE``/``show FILE`` read back.

A plan file is a zip archive, like Terraform's (whose layout it borrows, not its protobuf
contents)::

    gitterra-plan.json   {"format": "gitterra-plan", "version": 1, "gitterra_version": ...,
                          "members": {NAME: SHA-256, ...}, "plan": {...}, "meta": {...}}
    tfstate              the plan's prior state, as the state codec writes it (when it has one)
    tfconfig/<name>      the configuration's files, as the plan was made from them

``plan`` holds every field of :class:`~gitterra.engine._plan.Plan`; values go through
:func:`~gitterra.engine._values_json.to_plan_json`, so unknowns and sensitive marks survive the
round trip exactly. ``meta`` is the caller's own JSON (backend settings, workspace), returned as
it was given. Members are written in a fixed order with a fixed timestamp, so the same plan
gives the same bytes.

Reading refuses anything that is not exactly such a file: not a zip, a truncated or corrupt
archive (zip CRCs are checked, and every other member against the SHA-256 the header lists for
it), a missing member, an unknown format or version, or a field of
the wrong shape. Exceptions::

    PlanFileError        the file is not a gitterra plan we can read; the message names the
                         file and the member or field (the cause is kept as __cause__)
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
import zlib
from collections.abc import Mapping
from typing import Any, NoReturn

from gitterra import __version__, lang, state
from gitterra.engine import _values_json as vj
from gitterra.engine._addrs import (
    AddressError,
    Key,
    Mode,
    ModuleInstance,
    Resource,
    ResourceInstance,
    parse_target,
)
from gitterra.engine._plan import Action, OutputChange, Plan, Reason, ResourceChange

FORMAT = "gitterra-plan"
VERSION = 1

PLAN_MEMBER = "gitterra-plan.json"
STATE_MEMBER = "tfstate"
CONFIG_PREFIX = "tfconfig/"

_EPOCH = (1980, 1, 1, 0, 0, 0)

#: What the zip module raises for damaged archives: bad headers and CRCs, truncated or garbled
#: deflate streams, impossible sizes and offsets, unsupported compression methods.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
    OverflowError,
)


class PlanFileError(Exception):
    """A saved plan that cannot be read; ``source`` names the file."""

    def __init__(self, source: str, problem: str) -> None:
        self.source = source
        self.problem = problem
        super().__init__(f"{source}: {problem}")


# ---- writing --------------------------------------------------------------------------------


def write_plan(plan: Plan, sources: Mapping[str, str], meta: Mapping[str, Any]) -> bytes:
    """The plan file's bytes: ``plan``, the configuration ``sources`` (file name to text) and
    the caller's JSON ``meta``."""
    members = {CONFIG_PREFIX + name: sources[name].encode() for name in sorted(sources)}
    if plan.prior_state is not None:
        members = {STATE_MEMBER: state.encode(plan.prior_state), **members}
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "gitterra_version": __version__,
        "members": {name: _digest(data) for name, data in members.items()},
        "plan": _plan_doc(plan),
        "meta": dict(meta),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        _put(zf, PLAN_MEMBER, json.dumps(doc, ensure_ascii=False, indent=1).encode())
        for name, data in members.items():
            _put(zf, name, data)
    return buf.getvalue()


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _put(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, _EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    zf.writestr(info, data)


def _value(value: lang.Value | None) -> Any:
    return None if value is None else vj.to_plan_json(value)


def _plan_doc(plan: Plan) -> dict[str, Any]:
    return {
        "changes": [_change_doc(c) for c in plan.changes],
        "drift": [_change_doc(c) for c in plan.drift],
        "outputs": [
            {
                "name": o.name,
                "action": o.action.value,
                "before": _value(o.before),
                "after": _value(o.after),
                "sensitive": o.sensitive,
            }
            for o in plan.outputs
        ],
        "variables": {name: vj.to_plan_json(v) for name, v in plan.variables.items()},
        "prior_lineage": plan.prior_lineage,
        "prior_serial": plan.prior_serial,
        "destroy": plan.destroy,
        "refresh_only": plan.refresh_only,
        "targets": list(plan.targets),
        "destinations": dict(plan.destinations),
        "has_prior_state": plan.prior_state is not None,
        "errored": plan.errored,
    }


def _change_doc(c: ResourceChange) -> dict[str, Any]:
    return {
        "module": [[name, key] for name, key in c.addr.module.steps],
        "mode": c.addr.resource.mode,
        "type": c.addr.resource.type,
        "name": c.addr.resource.name,
        "key": c.addr.key,
        "action": c.action.value,
        "provider": c.provider,
        "before": _value(c.before),
        "after": _value(c.after),
        "reason": None if c.reason is None else c.reason.value,
        "replace_paths": [list(p) for p in c.replace_paths],
        "deposed": c.deposed,
        "create_before_destroy": c.create_before_destroy,
        "dependencies": list(c.dependencies),
        "moved_from": None if c.moved_from is None else str(c.moved_from),
    }


# ---- reading --------------------------------------------------------------------------------


def read_plan(data: bytes, source: str) -> tuple[Plan, dict[str, str], dict[str, Any]]:
    """Read a plan file: the plan, the configuration files and the caller's meta. Raises
    :class:`PlanFileError` naming ``source`` when it is not a readable gitterra plan."""
    reader = _Reader(source)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except _ZIP_ERRORS as exc:
        raise PlanFileError(source, "not a gitterra plan file (not a zip archive)") from exc
    with zf:
        doc = reader.json_member(zf)
        reader.check_header(doc)
        members = reader.members(zf, reader.obj(doc.get("members"), "members"))
        sources = reader.sources(members)
        plan_doc = reader.obj(doc.get("plan"), "plan")
        prior = reader.prior_state(members) if reader.flag(plan_doc, "has_prior_state") else None
        plan = reader.plan(plan_doc, prior)
        meta = reader.obj(doc.get("meta"), "meta")
    return plan, sources, meta


class _Reader:
    """Decoding with errors that name the file and the field."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, problem: str, cause: BaseException | None = None) -> NoReturn:
        raise PlanFileError(self.source, f"{where}: {problem}" if where else problem) from cause

    def read(self, zf: zipfile.ZipFile, name: str) -> bytes:
        try:
            return zf.read(name)
        except KeyError as exc:
            self.fail(name, "missing from the plan file (not a gitterra plan?)", exc)
        except _ZIP_ERRORS as exc:
            self.fail(name, f"corrupt or truncated ({exc})", exc)

    def json_member(self, zf: zipfile.ZipFile) -> dict[str, Any]:
        raw = self.read(zf, PLAN_MEMBER)
        try:
            doc = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            self.fail(PLAN_MEMBER, f"not valid JSON ({exc})", exc)
        return self.obj(doc, "")

    def check_header(self, doc: dict[str, Any]) -> None:
        if doc.get("format") != FORMAT:
            self.fail("format", f"expected {FORMAT!r}, found {doc.get('format')!r}")
        version = doc.get("version")
        if version != VERSION or isinstance(version, bool):
            self.fail(
                "version",
                f"plan file format version {version!r} is not supported (this gitterra reads "
                f"version {VERSION}); make the plan again with this version",
            )

    def members(self, zf: zipfile.ZipFile, manifest: dict[str, Any]) -> dict[str, bytes]:
        """The members the header lists, each checked against its SHA-256 (so a renamed,
        dropped or altered member is noticed, not silently missed)."""
        out: dict[str, bytes] = {}
        for name, digest in manifest.items():
            data = self.read(zf, name)
            if _digest(data) != digest:
                self.fail(name, "its content does not match the plan's checksum (corrupt file)")
            out[name] = data
        return out

    def sources(self, members: dict[str, bytes]) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, data in members.items():
            if name.startswith(CONFIG_PREFIX):
                try:
                    out[name[len(CONFIG_PREFIX) :]] = data.decode("utf-8")
                except UnicodeDecodeError as exc:
                    self.fail(name, "not UTF-8 text", exc)
        return out

    def prior_state(self, members: dict[str, bytes]) -> state.State:
        raw = members.get(STATE_MEMBER)
        if raw is None:
            self.fail(STATE_MEMBER, "missing from the plan file (not a gitterra plan?)")
        try:
            return state.decode(raw, f"{self.source}:{STATE_MEMBER}")
        except state.CorruptStateError as exc:
            self.fail(
                STATE_MEMBER, exc.problem if not exc.where else f"{exc.where}: {exc.problem}", exc
            )

    # ---- shapes ----

    def obj(self, raw: Any, where: str) -> dict[str, Any]:
        if not isinstance(raw, dict):
            self.fail(where, f"expected a JSON object, found {_kind(raw)}")
        return raw

    def array(self, doc: dict[str, Any], key: str, where: str) -> list[Any]:
        raw = doc.get(key)
        if not isinstance(raw, list):
            self.fail(_at(where, key), f"expected a JSON array, found {_kind(raw)}")
        return raw

    def text(self, doc: dict[str, Any], key: str, where: str = "plan") -> str:
        raw = doc.get(key)
        if not isinstance(raw, str):
            self.fail(_at(where, key), f"expected a string, found {_kind(raw)}")
        return raw

    def opt_text(self, doc: dict[str, Any], key: str, where: str) -> str | None:
        return None if doc.get(key) is None else self.text(doc, key, where)

    def flag(self, doc: dict[str, Any], key: str, where: str = "plan") -> bool:
        raw = doc.get(key)
        if not isinstance(raw, bool):
            self.fail(_at(where, key), f"expected true or false, found {_kind(raw)}")
        return raw

    def destinations(self, doc: dict[str, Any]) -> dict[str, str]:
        raw = self.obj(doc.get("destinations", {}), "plan.destinations")
        for key, where in raw.items():
            if not isinstance(where, str):
                self.fail(f"plan.destinations.{key}", f"expected a string, found {_kind(where)}")
        return raw

    def whole(self, doc: dict[str, Any], key: str, where: str = "plan") -> int:
        raw = doc.get(key)
        if not isinstance(raw, int) or isinstance(raw, bool) or raw < 0:
            self.fail(_at(where, key), f"expected a whole number, found {_kind(raw)}")
        return raw

    def value(self, raw: Any, where: str) -> lang.Value | None:
        if raw is None:
            return None
        self.node(self.obj(raw, where).get("value"), f"{where}.value")
        try:
            return vj.from_plan_json(raw)
        except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError) as exc:
            self.fail(where, f"not a saved value ({exc!r})", exc)

    def node(self, node: Any, where: str) -> None:
        """Check the shape of a tagged value (see ``to_plan_json``) before decoding it."""
        if not isinstance(node, dict) or not isinstance(node.get("s", False), bool):
            self.fail(where, "not a saved value")
        tags = [t for t in ("u", "n", "l", "m", "d", "p") if t in node]
        if len(tags) != 1:
            self.fail(where, "not a saved value (expected exactly one kind tag)")
        tag, inner = tags[0], node[tags[0]]
        if tag == "l":
            if not isinstance(inner, list) or "t" not in node:
                self.fail(where, "a saved collection needs its elements and type")
            for i, e in enumerate(inner):
                self.node(e, f"{where}[{i}]")
        elif tag == "m":
            if not isinstance(inner, dict) or "t" not in node:
                self.fail(where, "a saved map or object needs its elements and type")
            for k, e in inner.items():
                self.node(e, f"{where}.{k}")
        elif tag == "d" and not isinstance(inner, str):
            self.fail(where, "a saved number is written as a string")
        elif tag == "p" and not isinstance(inner, str | int):  # bool is an int
            self.fail(where, "a saved primitive is a string, a number or a boolean")

    def enum(self, kind: type[Action] | type[Reason], raw: Any, where: str) -> Any:
        try:
            return kind(raw)
        except ValueError as exc:
            self.fail(where, f"{raw!r} is not a known {kind.__name__.lower()}", exc)

    # ---- the plan ----

    def plan(self, doc: dict[str, Any], prior: state.State | None) -> Plan:
        variables = self.obj(doc.get("variables"), "plan.variables")
        values = {}
        for name, raw in variables.items():
            value = self.value(raw, f"plan.variables.{name}")
            if value is None:
                self.fail(f"plan.variables.{name}", "a variable's value is required")
            values[name] = value
        targets = self.array(doc, "targets", "plan")
        if not all(isinstance(t, str) for t in targets):
            self.fail("plan.targets", "expected strings")
        return Plan(
            changes=tuple(
                self.change(c, f"plan.changes[{i}]")
                for i, c in enumerate(self.array(doc, "changes", "plan"))
            ),
            outputs=tuple(
                self.output(o, f"plan.outputs[{i}]")
                for i, o in enumerate(self.array(doc, "outputs", "plan"))
            ),
            variables=values,
            prior_lineage=self.text(doc, "prior_lineage"),
            prior_serial=self.whole(doc, "prior_serial"),
            destroy=self.flag(doc, "destroy"),
            refresh_only=self.flag(doc, "refresh_only"),
            destinations=self.destinations(doc),
            targets=tuple(targets),
            drift=tuple(
                self.change(c, f"plan.drift[{i}]")
                for i, c in enumerate(self.array(doc, "drift", "plan"))
            ),
            prior_state=prior,
            errored=self.flag(doc, "errored"),
        )

    def output(self, raw: Any, where: str) -> OutputChange:
        doc = self.obj(raw, where)
        return OutputChange(
            name=self.text(doc, "name", where),
            action=self.enum(Action, doc.get("action"), f"{where}.action"),
            before=self.value(doc.get("before"), f"{where}.before"),
            after=self.value(doc.get("after"), f"{where}.after"),
            sensitive=self.flag(doc, "sensitive", where),
        )

    def change(self, raw: Any, where: str) -> ResourceChange:
        doc = self.obj(raw, where)
        raw_mode = self.text(doc, "mode", where)
        mode: Mode = "data" if raw_mode == "data" else "managed"
        if raw_mode != mode:
            self.fail(f"{where}.mode", f"expected 'managed' or 'data', found {raw_mode!r}")
        addr = ResourceInstance(
            self.module(doc, where),
            Resource(mode, self.text(doc, "type", where), self.text(doc, "name", where)),
            self.key(doc.get("key"), f"{where}.key"),
        )
        reason = doc.get("reason")
        deps = self.array(doc, "dependencies", where)
        if not all(isinstance(d, str) for d in deps):
            self.fail(f"{where}.dependencies", "expected strings")
        return ResourceChange(
            addr=addr,
            action=self.enum(Action, doc.get("action"), f"{where}.action"),
            provider=self.text(doc, "provider", where),
            before=self.value(doc.get("before"), f"{where}.before"),
            after=self.value(doc.get("after"), f"{where}.after"),
            reason=None if reason is None else self.enum(Reason, reason, f"{where}.reason"),
            replace_paths=self.paths(doc, where),
            deposed=self.opt_text(doc, "deposed", where),
            create_before_destroy=self.flag(doc, "create_before_destroy", where),
            dependencies=tuple(deps),
            moved_from=self.moved_from(doc.get("moved_from"), f"{where}.moved_from"),
        )

    def moved_from(self, raw: Any, where: str) -> ResourceInstance | None:
        if raw is None:
            return None
        if not isinstance(raw, str):
            self.fail(where, f"expected an address, found {_kind(raw)}")
        try:
            target = parse_target(raw)
        except AddressError as exc:
            self.fail(where, str(exc))
        if target.resource is None:
            self.fail(where, f"expected a resource instance address, found {raw!r}")
        return ResourceInstance(target.module, target.resource, target.key)

    def module(self, doc: dict[str, Any], where: str) -> ModuleInstance:
        steps: list[tuple[str, Key]] = []
        for i, step in enumerate(self.array(doc, "module", where)):
            if not (isinstance(step, list) and len(step) == 2 and isinstance(step[0], str)):
                self.fail(f"{where}.module[{i}]", "expected [name, key]")
            steps.append((step[0], self.key(step[1], f"{where}.module[{i}]")))
        return ModuleInstance(tuple(steps))

    def key(self, raw: Any, where: str) -> Key:
        if raw is None or isinstance(raw, str):
            return raw
        if not isinstance(raw, int) or isinstance(raw, bool):
            self.fail(where, f"an instance key is a number or a string, found {_kind(raw)}")
        return raw

    def paths(self, doc: dict[str, Any], where: str) -> tuple[tuple[str | int, ...], ...]:
        out = []
        for i, path in enumerate(self.array(doc, "replace_paths", where)):
            ok = isinstance(path, list) and all(
                isinstance(s, str) or (isinstance(s, int) and not isinstance(s, bool)) for s in path
            )
            if not ok:
                self.fail(f"{where}.replace_paths[{i}]", "expected a list of names and indexes")
            out.append(tuple(path))
        return tuple(out)


def _at(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _kind(raw: Any) -> str:
    if raw is None:
        return "null"
    if isinstance(raw, bool):
        return "a boolean"
    if isinstance(raw, int | float):
        return f"the number {raw}"
    if isinstance(raw, str):
        return f"the string {raw!r}"
    if isinstance(raw, list):
        return "an array"
    return "an object"
