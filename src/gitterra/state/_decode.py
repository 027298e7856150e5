"""Reading Terraform's state v4 file into a :class:`State`, checking every field.

What Terraform accepts, we accept: missing optional fields take Go's zero values, unknown
fields are ignored (newer Terraform versions add some), ``check_results`` is skipped. What it
refuses, we refuse with :class:`CorruptStateError` naming the source and the field path
(``resources[2].instances[0].index_key``) or the JSON line and column. We also refuse, with an
explanation, two things Terraform would upgrade: versions before 4 and 0.11's flat attributes.
Numbers are exact: integers as ``int``, others as ``Decimal``.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from decimal import Decimal
from typing import Any, NoReturn

from gitterra.state import _errors, _model

_MODULE_STEP = r'module\.[A-Za-z_][A-Za-z0-9_-]*(?:\[(?:[0-9]+|"(?:[^"\\]|\\.)*")\])?'
_MODULE = re.compile(rf"{_MODULE_STEP}(?:\.{_MODULE_STEP})*")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_PROVIDER = re.compile(rf'(?:{_MODULE_STEP}\.)*provider\["[^"\s]+"\](?:\.[A-Za-z_][A-Za-z0-9_-]*)?')
_VERSION = re.compile(r"v?[0-9]+(?:\.[0-9]+)*(?:[-+][0-9A-Za-z.+-]*)?")
_PRIMITIVE_TYPES = frozenset({"string", "number", "bool", "dynamic"})
_MAX_UINT64 = 2**64 - 1
_MAX_INT64 = 2**63 - 1


class _Source:
    """Where errors point: the state's source and JSON field paths inside it."""

    def __init__(self, source: str) -> None:
        self.source = source

    def error(self, where: str, problem: str) -> _errors.CorruptStateError:
        return _errors.CorruptStateError(self.source, where, problem)


def decode(data: bytes, source: str) -> _model.State:
    """Decode a state file; raises :class:`CorruptStateError` naming ``source`` on bad input."""
    src = _Source(source)
    doc = _parse(data, src)
    if not isinstance(doc, dict):
        raise src.error("", f"expected a JSON object (a Terraform state), found {_kind(doc)}")
    _check_version(doc, src)
    return _model.State(
        serial=_uint(doc, "serial", "", src, _MAX_UINT64),
        lineage=_str(doc, "lineage", "", src),
        terraform_version=_terraform_version(doc, src),
        outputs=_outputs(doc.get("outputs"), src),
        resources=_resources(doc.get("resources"), src),
    )


def _parse(data: bytes, src: _Source) -> Any:
    if not data.strip():
        raise src.error("", "the state is empty")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise src.error(f"byte {exc.start}", "not valid UTF-8 text") from exc
    try:
        return json.loads(
            text, parse_float=Decimal, parse_int=_parse_int, parse_constant=_no_constant
        )
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise src.error(where, f"not valid JSON: {exc.msg}") from exc
    except (ValueError, RecursionError) as exc:
        raise src.error("", f"not valid JSON: {exc}") from exc


def _parse_int(text: str) -> int:
    # int() refuses more than 4300 digits; Decimal converts any length exactly.
    return int(text) if len(text) < 4000 else int(Decimal(text))


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a JSON number")


def _check_version(doc: dict[str, Any], src: _Source) -> None:
    if "version" not in doc:
        raise src.error(
            "version", 'missing: a Terraform state has a "version" field; is this a state?'
        )
    version = doc["version"]
    if not _is_int(version):
        raise src.error("version", f"expected a number, found {_kind(version)}")
    if version == 4:
        return
    if 0 <= version < 4:
        raise src.error(
            "version",
            f"state format version {version} (Terraform 0.11 and earlier) is not supported; "
            "gitterra reads version 4. Upgrade the state by running Terraform 0.12 or later "
            "on it (terraform refresh), then try again",
        )
    raise src.error(
        "version",
        f"state format version {version} is not supported: it was written by a newer program; "
        "gitterra reads version 4",
    )


def _terraform_version(doc: dict[str, Any], src: _Source) -> str:
    text = _str(doc, "terraform_version", "", src)
    if text and not _VERSION.fullmatch(text):
        raise src.error("terraform_version", f"{text!r} is not a version number")
    return text


def _outputs(raw: Any, src: _Source) -> dict[str, _model.OutputState]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise src.error("outputs", f"expected an object, found {_kind(raw)}")
    out: dict[str, _model.OutputState] = {}
    for name, item in raw.items():
        where = f"outputs.{name}"
        if not isinstance(item, dict):
            raise src.error(where, f"expected an object, found {_kind(item)}")
        for key in ("value", "type"):
            if key not in item:
                raise src.error(f"{where}.{key}", "missing")
        _check_type(item["type"], f"{where}.type", src)
        sensitive = _bool(item, "sensitive", where, src)
        out[name] = _model.OutputState(value=item["value"], type=item["type"], sensitive=sensitive)
    return out


def _check_type(ty: Any, where: str, src: _Source) -> None:
    """cty's JSON type notation: a primitive name or a two-element [kind, detail] array."""
    if isinstance(ty, str) and ty in _PRIMITIVE_TYPES:
        return
    if isinstance(ty, list) and len(ty) == 2 and isinstance(ty[0], str):
        kind, detail = ty
        if kind in ("list", "set", "map"):
            _check_type(detail, f"{where}[1]", src)
            return
        if kind == "object" and isinstance(detail, dict):
            for attr, attr_ty in detail.items():
                _check_type(attr_ty, f"{where}[1].{attr}", src)
            return
        if kind == "tuple" and isinstance(detail, list):
            for i, elem in enumerate(detail):
                _check_type(elem, f"{where}[1][{i}]", src)
            return
    raise src.error(where, f"not a type: {json.dumps(ty, default=str)[:80]}")


def _resources(raw: Any, src: _Source) -> dict[str, _model.ResourceState]:
    if raw is None:
        return {}
    if not isinstance(raw, list):
        raise src.error("resources", f"expected an array, found {_kind(raw)}")
    out: dict[str, _model.ResourceState] = {}
    for i, item in enumerate(raw):
        rs = _resource(item, f"resources[{i}]", src)
        if rs.address in out:
            raise src.error(f"resources[{i}]", f"resource {rs.address} appears more than once")
        out[rs.address] = rs
    return out


def _resource(item: Any, where: str, src: _Source) -> _model.ResourceState:
    if not isinstance(item, dict):
        raise src.error(where, f"expected an object, found {_kind(item)}")
    module = _str(item, "module", where, src)
    if module and not _MODULE.fullmatch(module):
        raise src.error(f"{where}.module", f"{module!r} is not a module instance address")
    mode = _str(item, "mode", where, src, required=True)
    if mode not in ("managed", "data"):
        raise src.error(f"{where}.mode", f'expected "managed" or "data", found {mode!r}')
    names = {}
    for key in ("type", "name"):
        names[key] = _str(item, key, where, src, required=True)
        if not _NAME.fullmatch(names[key]):
            raise src.error(f"{where}.{key}", f"{names[key]!r} is not a valid name")
    each = _str(item, "each", where, src) or None
    if each not in (None, "list", "map"):
        raise src.error(f"{where}.each", f'expected "list" or "map", found {each!r}')
    provider = _str(item, "provider", where, src, required=True)
    if not _PROVIDER.fullmatch(provider):
        raise src.error(f"{where}.provider", _provider_problem(provider))
    rs = _model.ResourceState(
        module=module,
        mode="managed" if mode == "managed" else "data",
        type=names["type"],
        name=names["name"],
        provider=provider,
        each="list" if each == "list" else "map" if each == "map" else None,
    )
    instances = item.get("instances")
    if instances is not None and not isinstance(instances, list):
        raise src.error(f"{where}.instances", f"expected an array, found {_kind(instances)}")
    for j, inst in enumerate(instances or []):
        _instance(inst, rs, f"{where}.instances[{j}]", src)
    return rs


def _provider_problem(provider: str) -> str:
    if provider.startswith("provider.") or ".provider." in provider:
        return (
            f"{provider!r} is a Terraform 0.12 provider address; upgrade the state with "
            "Terraform 0.13 or later first"
        )
    return f'{provider!r} is not a provider address like provider["registry.terraform.io/a/b"]'


def _instance(item: Any, rs: _model.ResourceState, where: str, src: _Source) -> None:
    if not isinstance(item, dict):
        raise src.error(where, f"expected an object, found {_kind(item)}")
    key = _index_key(item.get("index_key"), f"{where}.index_key", src)
    address = rs.instance_address(key)
    status = _str(item, "status", where, src) or None
    if status not in (None, _model.TAINTED):
        raise src.error(f"{where}.status", f'{address}: expected "tainted", found {status!r}')
    obj = _model.ObjectState(
        attributes=_attributes(item, where, src),
        schema_version=_uint(item, "schema_version", where, src, _MAX_UINT64),
        sensitive_attributes=_list(item, "sensitive_attributes", where, src),
        dependencies=_dependencies(item, where, src),
        create_before_destroy=_bool(item, "create_before_destroy", where, src),
        status=status,
        private=_private(item, where, src),
    )
    inst = rs.instances.setdefault(key, _model.InstanceState(key))
    deposed = _str(item, "deposed", where, src)
    if not deposed:
        if inst.current is not None:
            raise src.error(where, f"instance {address} appears more than once")
        inst.current = obj
        return
    if len(deposed) != 8:
        raise src.error(
            f"{where}.deposed", f"{address}: deposed key {deposed!r} is not 8 characters"
        )
    if deposed in inst.deposed:
        raise src.error(where, f"deposed object {deposed} of {address} appears more than once")
    inst.deposed[deposed] = obj


def _index_key(raw: Any, where: str, src: _Source) -> _model.InstanceKey:
    if raw is None or isinstance(raw, str):
        return raw
    if _is_int(raw) and abs(raw) <= _MAX_INT64:
        return int(raw)
    if isinstance(raw, Decimal) and raw == raw.to_integral_value() and abs(raw) <= _MAX_INT64:
        return int(raw)
    raise src.error(where, f"expected a whole number or a string, found {_kind(raw)} {raw!r}")


def _attributes(item: dict[str, Any], where: str, src: _Source) -> dict[str, Any]:
    if "attributes" not in item:
        if item.get("attributes_flat") is not None:
            raise src.error(
                f"{where}.attributes_flat",
                "flat attributes come from Terraform 0.11; upgrade the state by running "
                "Terraform 0.12 or later on it (terraform refresh), then try again",
            )
        return {}
    attrs = item["attributes"]
    if not isinstance(attrs, dict):
        raise src.error(f"{where}.attributes", f"expected an object, found {_kind(attrs)}")
    return attrs


def _dependencies(item: dict[str, Any], where: str, src: _Source) -> list[str]:
    deps = _list(item, "dependencies", where, src)
    for i, dep in enumerate(deps):
        if not isinstance(dep, str):
            raise src.error(f"{where}.dependencies[{i}]", f"expected a string, found {_kind(dep)}")
    return deps


def _private(item: dict[str, Any], where: str, src: _Source) -> str | None:
    raw = _str(item, "private", where, src)
    if not raw:
        return None
    try:
        base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise src.error(f"{where}.private", "not valid base64") from exc
    return raw


# ---- typed field access ---------------------------------------------------------------------


def _str(
    obj: dict[str, Any], key: str, parent: str, src: _Source, *, required: bool = False
) -> str:
    value = obj.get(key)
    if value is None:
        if required:
            raise src.error(_path(parent, key), "missing")
        return ""
    if not isinstance(value, str):
        raise src.error(_path(parent, key), f"expected a string, found {_kind(value)}")
    return value


def _uint(obj: dict[str, Any], key: str, parent: str, src: _Source, limit: int) -> int:
    value = obj.get(key)
    if value is None:
        return 0
    if not _is_int(value) or not 0 <= value <= limit:
        found = f"{value}" if isinstance(value, int | Decimal) else _kind(value)
        raise src.error(
            _path(parent, key), f"expected a whole number from 0 to {limit}, found {found}"
        )
    return int(value)


def _bool(obj: dict[str, Any], key: str, parent: str, src: _Source) -> bool:
    value = obj.get(key)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise src.error(_path(parent, key), f"expected true or false, found {_kind(value)}")
    return value


def _list(obj: dict[str, Any], key: str, parent: str, src: _Source) -> list[Any]:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise src.error(_path(parent, key), f"expected an array, found {_kind(value)}")
    return value


def _path(parent: str, key: str) -> str:
    return f"{parent}.{key}" if parent else key


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | Decimal | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"
