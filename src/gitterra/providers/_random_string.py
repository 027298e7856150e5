"""``random_string`` and ``random_password`` (hashicorp/random).

Both draw ``length`` characters with the OS's secure generator: first ``min_upper`` upper-case
letters, ``min_lower`` lower-case, ``min_numeric`` digits and ``min_special`` special characters
(whether or not that class is enabled, as upstream), then the rest from the enabled classes, and
shuffle the lot. ``override_special`` replaces the default special characters. Every argument
forces replacement, except a ``keepers`` change of null entries only and ``override_special``
going from ``""`` to null. ``number`` is the deprecated spelling of ``numeric``; the two follow
each other. ``random_password`` is the same with a sensitive ``result`` and the fixed id
``"none"``; its upstream ``bcrypt_hash`` is not offered (it would need a bcrypt dependency).
"""

from __future__ import annotations

import string
from dataclasses import dataclass, replace
from typing import ClassVar

from gitterra import engine, lang
from gitterra.diag import Diagnostic, Diagnostics
from gitterra.providers import _base, _rng

DEFAULT_SPECIAL = "!@#$%&*()-_=+[]{}<>:?"
MIN_ATTRS = ("min_upper", "min_lower", "min_numeric", "min_special")
FLAG_ATTRS = ("upper", "lower", "numeric", "special")
_NUMBER_DEPRECATED = "**NOTE**: This is deprecated, use `numeric` instead."


@dataclass(frozen=True, slots=True)
class StringParams:
    length: int
    upper: bool = True
    lower: bool = True
    numeric: bool = True
    special: bool = True
    min_upper: int = 0
    min_lower: int = 0
    min_numeric: int = 0
    min_special: int = 0
    override_special: str = ""


def generate(src: _rng.Source, p: StringParams) -> str:
    """A random string meeting ``p`` (whose validity ``validate`` has checked)."""
    specials = p.override_special or DEFAULT_SPECIAL
    classes = [
        (string.ascii_uppercase, p.upper, p.min_upper),
        (string.ascii_lowercase, p.lower, p.min_lower),
        (string.digits, p.numeric, p.min_numeric),
        (specials, p.special, p.min_special),
    ]
    pool = "".join(chars for chars, enabled, _ in classes if enabled)
    picked = [_rng.choice(src, chars) for chars, _, count in classes for _ in range(count)]
    rest = p.length - len(picked)
    if rest > 0 and not pool:
        raise ValueError("no character class is enabled")
    picked += [_rng.choice(src, pool) for _ in range(max(rest, 0))]
    return "".join(_rng.shuffle(src, picked))


def params_of(value: lang.Value) -> StringParams:
    """The generation parameters a planned value holds."""
    return StringParams(
        length=_base.int_attr(value, "length"),
        upper=_base.bool_attr(value, "upper", True),
        lower=_base.bool_attr(value, "lower", True),
        numeric=_base.bool_attr(value, "numeric", True),
        special=_base.bool_attr(value, "special", True),
        min_upper=_base.int_attr(value, "min_upper"),
        min_lower=_base.int_attr(value, "min_lower"),
        min_numeric=_base.int_attr(value, "min_numeric"),
        min_special=_base.int_attr(value, "min_special"),
        override_special=_base.str_attr(value, "override_special"),
    )


def _flag(what: str) -> engine.Attribute:
    return engine.Attribute(
        lang.BOOL,
        optional=True,
        computed=True,
        force_new=True,
        default=lang.TRUE,
        description=f"Include {what} in the result. Default value is `true`.",
    )


def _count(what: str) -> engine.Attribute:
    return engine.Attribute(
        lang.NUMBER,
        optional=True,
        computed=True,
        force_new=True,
        default=lang.number_val(0),
        description=f"Minimum number of {what} in the result. Default value is `0`.",
    )


def _schema(sensitive: bool, description: str) -> engine.ResourceSchema:
    """The schema of random_string, or of random_password when ``sensitive``."""
    return engine.ResourceSchema(
        engine.BlockSchema(
            {
                "keepers": engine.Attribute(
                    lang.MapType(lang.STRING),
                    optional=True,
                    force_new=True,
                    description="Arbitrary values that, when changed, recreate the resource.",
                ),
                "length": engine.Attribute(
                    lang.NUMBER,
                    required=True,
                    force_new=True,
                    description="The length of the string desired: at least 1 and at least "
                    "min_upper + min_lower + min_numeric + min_special.",
                ),
                "special": _flag(f"special characters ({DEFAULT_SPECIAL})"),
                "upper": _flag("uppercase alphabet characters"),
                "lower": _flag("lowercase alphabet characters"),
                "number": engine.Attribute(
                    lang.BOOL,
                    optional=True,
                    computed=True,
                    force_new=True,
                    description=f"Include numeric characters. {_NUMBER_DEPRECATED}",
                ),
                "numeric": engine.Attribute(
                    lang.BOOL,
                    optional=True,
                    computed=True,
                    force_new=True,
                    description="Include numeric characters in the result. Default `true`.",
                ),
                "min_numeric": _count("numeric characters"),
                "min_upper": _count("uppercase alphabet characters"),
                "min_lower": _count("lowercase alphabet characters"),
                "min_special": _count("special characters"),
                "override_special": engine.Attribute(
                    lang.STRING,
                    optional=True,
                    force_new=True,
                    description="Your own list of special characters (special must be true).",
                ),
                "result": engine.Attribute(
                    lang.STRING,
                    computed=True,
                    sensitive=sensitive,
                    description="The generated random string.",
                ),
                "id": engine.Attribute(
                    lang.STRING,
                    computed=True,
                    description=(
                        'A static value used internally by Terraform ("none").'
                        if sensitive
                        else "The generated random string."
                    ),
                ),
            },
            description=description,
        ),
        version=2 if not sensitive else 3,
    )


def _override_equivalent(prior: lang.Value, planned: lang.Value) -> bool:
    """``RequiresReplaceUnlessEmptyStringToNull``: dropping an empty ``override_special``."""
    return planned.is_null and _base.is_set(prior) and prior.as_str() == ""


class RandomString(_base.ResourceType):
    name = "random_string"
    schema = _schema(False, "A random string of letters, digits and special characters.")
    #: The fixed id, or None when the id is the result itself.
    fixed_id: ClassVar[str | None] = None

    def validate(self, config: lang.Value) -> Diagnostics:
        diags = Diagnostics()
        length = _base.at_least(config, "length", 1, diags)
        mins = [_minimum(config, name, diags) for name in MIN_ATTRS]
        number, numeric = _base.get(config, "number"), _base.get(config, "numeric")
        if not number.is_null:
            diags.add(Diagnostic.warning("Attribute Deprecated", _NUMBER_DEPRECATED))
        if _base.is_set(number) and _base.is_set(numeric) and number != numeric:
            diags.add(
                Diagnostic.error(
                    "Number and numeric are both configured with different values",
                    "Number is deprecated, use numeric instead",
                )
            )
        if length is None or any(m is None for m in mins):
            return diags
        total = sum(m for m in mins if m is not None)
        if length < total:
            diags.add(
                _base.invalid_value(
                    "Attribute length value must be at least sum of "
                    f"{' + '.join(MIN_ATTRS)}, got: {length}"
                )
            )
        elif length > total and not any(_enabled(config, flag) for flag in FLAG_ATTRS):
            diags.add(
                _base.invalid_value(
                    f"Attribute length value {length} needs characters beyond the min_* "
                    f"counts ({total}), but upper, lower, numeric and special are all false: "
                    "enable at least one of them"
                )
            )
        return diags

    def plan(
        self, prior: lang.Value | None, proposed: lang.Value, config: lang.Value
    ) -> engine.PlannedChange:
        change = _base.plan_with(
            self.schema.block,
            prior,
            _sync_numeric(proposed, config),
            config,
            {"keepers": _base.keepers_equivalent, "override_special": _override_equivalent},
        )
        return replace(change, planned=_sync_numeric(change.planned, config))

    async def create(self, planned: lang.Value, config: lang.Value | None) -> engine.ApplyResult:
        result = generate(_rng.SecureSource(), params_of(planned))
        id_ = self.fixed_id if self.fixed_id is not None else result
        changes = {"result": lang.string_val(result), "id": lang.string_val(id_)}
        return engine.ApplyResult(_base.with_attrs(planned, changes))

    async def import_(self, id_: str) -> engine.ImportResult:
        """The imported string is the result; the arguments get their defaults."""
        attrs: dict[str, lang.Value] = {
            "result": lang.string_val(id_),
            "id": lang.string_val(self.fixed_id if self.fixed_id is not None else id_),
            "length": lang.number_val(len(id_)),
            "number": lang.TRUE,
            **dict.fromkeys(FLAG_ATTRS, lang.TRUE),
            **{name: lang.number_val(0) for name in MIN_ATTRS},
        }
        return engine.ImportResult((_base.state_object(self.schema.block, attrs),))


class RandomPassword(RandomString):
    name = "random_password"
    schema = _schema(True, "Identical to random_string, but the result is sensitive.")
    fixed_id = "none"


def _minimum(config: lang.Value, name: str, diags: Diagnostics) -> int | None:
    """A ``min_*`` count: its default 0 when unset, None when unknown or invalid."""
    if _base.get(config, name).is_null:
        return 0
    return _base.at_least(config, name, 0, diags)


def _enabled(config: lang.Value, flag: str) -> bool:
    """Whether a character class is on (unknown counts as on: it may be)."""
    if flag == "numeric":
        v = _base.get(config, "numeric")
        if v.is_null:
            v = _base.get(config, "number")
    else:
        v = _base.get(config, flag)
    return v.is_null or not v.is_known or v.as_bool()


def _sync_numeric(value: lang.Value, config: lang.Value) -> lang.Value:
    """Upstream's ``NumberNumericAttributePlanModifier``: ``number`` and ``numeric`` follow
    whichever the configuration sets, and are both true when it sets neither."""
    number, numeric = _base.get(config, "number"), _base.get(config, "numeric")
    if number.is_null and numeric.is_null:
        number = numeric = lang.TRUE
    elif number.is_null:
        number = numeric
    elif numeric.is_null:
        numeric = number
    return _base.with_attrs(value, {"number": number, "numeric": numeric})
