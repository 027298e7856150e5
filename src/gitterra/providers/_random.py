"""The ``registry.terraform.io/hashicorp/random`` provider.

Every random value is made at apply (unknown in the plan) and then kept in state for good: reads
return the state as it is, and nothing changes it but replacement. Every argument forces
replacement; ``keepers`` is the argument that exists only for that (its null entries do not
count). ``random_integer`` and ``random_shuffle`` take a ``seed``, which makes their results
deterministic (a stable SHA-256 stream, see ``_rng``; the values differ from upstream's Go
generator, which no document fixes).

Types: ``random_id``, ``random_integer``, ``random_pet``, ``random_shuffle`` here;
``random_string`` and ``random_password`` in ``_random_string``.
"""

from __future__ import annotations

import base64
import binascii
import secrets

from gitterra import engine, lang
from gitterra.diag import Diagnostic, Diagnostics
from gitterra.providers import _base, _petnames, _random_string, _rng

SOURCE = "registry.terraform.io/hashicorp/random"

_KEEPERS = engine.Attribute(
    lang.MapType(lang.STRING),
    optional=True,
    force_new=True,
    description="Arbitrary values that, when changed, recreate the resource.",
)
_KEEP = {"keepers": _base.keepers_equivalent}


def _string(description: str) -> engine.Attribute:
    return engine.Attribute(lang.STRING, computed=True, description=description)


class RandomResource(_base.ResourceType):
    """Plans by schema with upstream's lenient ``keepers`` comparison."""

    def plan(
        self, prior: lang.Value | None, proposed: lang.Value, config: lang.Value
    ) -> engine.PlannedChange:
        return _base.plan_with(self.schema.block, prior, proposed, config, _KEEP)


class RandomId(RandomResource):
    name = "random_id"
    schema = engine.ResourceSchema(
        engine.BlockSchema(
            {
                "keepers": _KEEPERS,
                "byte_length": engine.Attribute(
                    lang.NUMBER,
                    required=True,
                    force_new=True,
                    description="The number of random bytes to produce; at least 1.",
                ),
                "prefix": engine.Attribute(
                    lang.STRING,
                    optional=True,
                    force_new=True,
                    description="Arbitrary string to prefix the output value with.",
                ),
                "b64_url": _string("The id in URL-safe base64 (unpadded), after the prefix."),
                "b64_std": _string("The id in standard base64, after the prefix."),
                "hex": _string("The id in padded hexadecimal digits, after the prefix."),
                "dec": _string("The id in non-padded decimal digits, after the prefix."),
                "id": _string("The id in URL-safe base64 without prefix."),
            },
            description="Random bytes meant as unique identifiers.",
        )
    )

    def validate(self, config: lang.Value) -> Diagnostics:
        diags = Diagnostics()
        _base.at_least(config, "byte_length", 1, diags)
        return diags

    async def create(self, planned: lang.Value, config: lang.Value | None) -> engine.ApplyResult:
        data = secrets.token_bytes(_base.int_attr(planned, "byte_length"))
        return engine.ApplyResult(
            _base.with_attrs(planned, _id_encodings(data, _base.str_attr(planned, "prefix")))
        )

    async def import_(self, id_: str) -> engine.ImportResult:
        """``[PREFIX,]B64_URL``: everything before the last comma is the prefix."""
        prefix, _, encoded = id_.rpartition(",")
        try:
            data = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except (binascii.Error, ValueError) as exc:
            return engine.ImportResult(diagnostics=_import_error("Random ID", str(exc)))
        if not data or base64.urlsafe_b64encode(data).rstrip(b"=").decode() != encoded:
            return engine.ImportResult(
                diagnostics=_import_error(
                    "Random ID", f"{encoded!r} is not unpadded URL-safe base64 of some bytes"
                )
            )
        attrs = _id_encodings(data, prefix)
        attrs["byte_length"] = lang.number_val(len(data))
        if prefix:
            attrs["prefix"] = lang.string_val(prefix)
        return engine.ImportResult((_base.state_object(self.schema.block, attrs),))


def _id_encodings(data: bytes, prefix: str) -> dict[str, lang.Value]:
    url = base64.urlsafe_b64encode(data).rstrip(b"=").decode()
    return {
        "id": lang.string_val(url),
        "b64_url": lang.string_val(prefix + url),
        "b64_std": lang.string_val(prefix + base64.b64encode(data).decode()),
        "hex": lang.string_val(prefix + data.hex()),
        "dec": lang.string_val(prefix + str(int.from_bytes(data, "big"))),
    }


def _import_error(what: str, detail: str) -> Diagnostics:
    summary = f"Import {what} Error"
    return Diagnostics([Diagnostic.error(summary, detail)])


class RandomInteger(RandomResource):
    name = "random_integer"
    schema = engine.ResourceSchema(
        engine.BlockSchema(
            {
                "keepers": _KEEPERS,
                "min": engine.Attribute(
                    lang.NUMBER,
                    required=True,
                    force_new=True,
                    description="The minimum inclusive value of the range.",
                ),
                "max": engine.Attribute(
                    lang.NUMBER,
                    required=True,
                    force_new=True,
                    description="The maximum inclusive value of the range.",
                ),
                "seed": engine.Attribute(
                    lang.STRING,
                    optional=True,
                    force_new=True,
                    description="A custom seed to always produce the same value.",
                ),
                "result": engine.Attribute(
                    lang.NUMBER, computed=True, description="The random integer result."
                ),
                "id": _string("The string representation of the integer result."),
            },
            description="A random integer from the range [min, max].",
        )
    )

    def validate(self, config: lang.Value) -> Diagnostics:
        diags = Diagnostics()
        low = _base.int64_attr(config, "min", diags)
        high = _base.int64_attr(config, "max", diags)
        if low is not None and high is not None and high < low:
            diags.add(_min_above_max())
        return diags

    async def create(self, planned: lang.Value, config: lang.Value | None) -> engine.ApplyResult:
        low, high = _base.int_attr(planned, "min"), _base.int_attr(planned, "max")
        if high < low:
            return engine.ApplyResult(None, Diagnostics([_min_above_max()]))
        seed = _base.str_attr(planned, "seed")
        n = low + _rng.source(seed).below(high - low + 1)
        changes = {"result": lang.number_val(n), "id": lang.string_val(str(n))}
        return engine.ApplyResult(_base.with_attrs(planned, changes))

    async def import_(self, id_: str) -> engine.ImportResult:
        """``RESULT,MIN,MAX`` or ``RESULT,MIN,MAX,SEED``."""
        parts = id_.split(",")
        if len(parts) not in (3, 4):
            return engine.ImportResult(
                diagnostics=_import_error(
                    "Random Integer",
                    "Invalid import usage: expecting {result},{min},{max} or "
                    "{result},{min},{max},{seed}",
                )
            )
        numbers: list[int] = []
        for what, text in zip(("value", "min value", "max value"), parts, strict=False):
            try:
                numbers.append(int(text, 10))
            except ValueError:
                return engine.ImportResult(
                    diagnostics=_import_error(
                        "Random Integer",
                        f"The {what} supplied could not be parsed as an integer: {text!r}",
                    )
                )
        attrs = {
            "id": lang.string_val(parts[0]),
            "result": lang.number_val(numbers[0]),
            "min": lang.number_val(numbers[1]),
            "max": lang.number_val(numbers[2]),
        }
        if len(parts) == 4:
            attrs["seed"] = lang.string_val(parts[3])
        return engine.ImportResult((_base.state_object(self.schema.block, attrs),))


def _min_above_max() -> Diagnostic:
    return Diagnostic.error(
        "Create Random Integer Error",
        "The minimum (min) value needs to be smaller than or equal to maximum (max) value.",
    )


class RandomShuffle(RandomResource):
    name = "random_shuffle"
    schema = engine.ResourceSchema(
        engine.BlockSchema(
            {
                "keepers": _KEEPERS,
                "seed": engine.Attribute(
                    lang.STRING,
                    optional=True,
                    force_new=True,
                    description="Seed for less volatile permutations of the list.",
                ),
                "input": engine.Attribute(
                    lang.ListType(lang.STRING),
                    required=True,
                    force_new=True,
                    description="The list of strings to shuffle.",
                ),
                "result_count": engine.Attribute(
                    lang.NUMBER,
                    optional=True,
                    force_new=True,
                    description="How many results to return; defaults to the input's length. "
                    "More than that repeats items, never more often than the input has them.",
                ),
                "result": engine.Attribute(
                    lang.ListType(lang.STRING),
                    computed=True,
                    description="Random permutation of the list of strings given in input.",
                ),
                "id": _string("A static value used internally by Terraform."),
            },
            description="A random permutation of a list of strings.",
        )
    )

    def validate(self, config: lang.Value) -> Diagnostics:
        diags = Diagnostics()
        _base.at_least(config, "result_count", 0, diags)
        return diags

    async def create(self, planned: lang.Value, config: lang.Value | None) -> engine.ApplyResult:
        items = _base.get(planned, "input").elements()
        count = _base.int_attr(planned, "result_count") or len(items)
        src = _rng.source(_base.str_attr(planned, "seed"))
        result: list[lang.Value] = []
        while items and len(result) < count:  # whole permutations until there are enough
            result += _rng.shuffle(src, items)[: count - len(result)]
        changes = {
            "result": lang.Value(lang.ListType(lang.STRING), tuple(result)),
            "id": lang.string_val("-"),
        }
        return engine.ApplyResult(_base.with_attrs(planned, changes))


class RandomPet(RandomResource):
    name = "random_pet"
    schema = engine.ResourceSchema(
        engine.BlockSchema(
            {
                "keepers": _KEEPERS,
                "length": engine.Attribute(
                    lang.NUMBER,
                    optional=True,
                    computed=True,
                    force_new=True,
                    default=lang.number_val(2),
                    description="The length (in words) of the pet name. Defaults to 2.",
                ),
                "prefix": engine.Attribute(
                    lang.STRING,
                    optional=True,
                    force_new=True,
                    description="A string to prefix the name with.",
                ),
                "separator": engine.Attribute(
                    lang.STRING,
                    optional=True,
                    computed=True,
                    force_new=True,
                    default=lang.string_val("-"),
                    description='The character to separate words in the pet name. Defaults to "-".',
                ),
                "id": _string("The random pet name."),
            },
            description="Random pet names meant as unique identifiers.",
        )
    )

    def validate(self, config: lang.Value) -> Diagnostics:
        diags = Diagnostics()
        _base.at_least(config, "length", 1, diags)
        return diags

    async def create(self, planned: lang.Value, config: lang.Value | None) -> engine.ApplyResult:
        separator = _base.str_attr(planned, "separator", "-")
        words = pet_words(_rng.SecureSource(), _base.int_attr(planned, "length", 2))
        prefix = _base.str_attr(planned, "prefix")
        name = separator.join([prefix, *words] if prefix else words)
        return engine.ApplyResult(_base.with_attrs(planned, {"id": lang.string_val(name)}))


def pet_words(src: _rng.Source, length: int) -> list[str]:
    """``length`` words: adverbs, then an adjective, then an animal."""
    if length == 1:
        return [_rng.choice(src, _petnames.ANIMALS)]
    adverbs = [_rng.choice(src, _petnames.ADVERBS) for _ in range(length - 2)]
    return [
        *adverbs,
        _rng.choice(src, _petnames.ADJECTIVES),
        _rng.choice(src, _petnames.ANIMALS),
    ]


def provider() -> _base.TableProvider:
    return _base.TableProvider(
        [
            RandomId(),
            RandomInteger(),
            _random_string.RandomPassword(),
            RandomPet(),
            RandomShuffle(),
            _random_string.RandomString(),
        ]
    )
