"""The ``registry.terraform.io/hashicorp/null`` provider: ``null_resource`` and the deprecated
``null_data_source``.

``null_resource`` runs the standard lifecycle and does nothing else; a change of a non-null
``triggers`` entry replaces it. Its ``id`` is a random non-negative 63-bit number, as the real
provider's ``rand.Int()``.
"""

from __future__ import annotations

import secrets

from gitterra import engine, lang
from gitterra.diag import Diagnostic, Diagnostics
from gitterra.providers import _base

SOURCE = "registry.terraform.io/hashicorp/null"

_STRING_MAP = lang.MapType(lang.STRING)


def _random_number() -> lang.Value:
    return lang.string_val(str(secrets.randbelow(2**63)))


class NullResource(_base.ResourceType):
    name = "null_resource"
    schema = engine.ResourceSchema(
        engine.BlockSchema(
            {
                "triggers": engine.Attribute(
                    _STRING_MAP,
                    optional=True,
                    force_new=True,
                    description="Strings whose change replaces the resource.",
                ),
                "id": engine.Attribute(
                    lang.STRING, computed=True, description="A random value set at create."
                ),
            },
            description="The standard resource lifecycle, taking no further action.",
        )
    )

    def plan(
        self, prior: lang.Value | None, proposed: lang.Value, config: lang.Value
    ) -> engine.PlannedChange:
        return _base.plan_with(
            self.schema.block,
            prior,
            proposed,
            config,
            {"triggers": _base.keepers_equivalent},
        )

    async def create(self, planned: lang.Value, config: lang.Value | None) -> engine.ApplyResult:
        return engine.ApplyResult(_base.with_attrs(planned, {"id": _random_number()}))


class NullDataSource(_base.DataSourceType):
    """Deprecated upstream (locals do the same); kept so old configurations still read."""

    name = "null_data_source"
    schema = engine.ResourceSchema(
        engine.BlockSchema(
            {
                "inputs": engine.Attribute(
                    _STRING_MAP, optional=True, description="Strings copied to outputs."
                ),
                "outputs": engine.Attribute(
                    _STRING_MAP, computed=True, description="A copy of inputs."
                ),
                "random": engine.Attribute(
                    lang.STRING, computed=True, description="A random number, for testing."
                ),
                "has_computed_default": engine.Attribute(
                    lang.STRING,
                    optional=True,
                    computed=True,
                    description='Its value if set, else "default".',
                ),
                "id": engine.Attribute(
                    lang.STRING, computed=True, description='Always "static"; deprecated.'
                ),
            },
            description="Copies inputs to outputs.",
        )
    )

    def validate(self, config: lang.Value) -> Diagnostics:
        return Diagnostics(
            [
                Diagnostic.warning(
                    "Deprecated data source",
                    "null_data_source is deprecated: use locals or the terraform_data "
                    "resource type instead.",
                )
            ]
        )

    async def read(self, config: lang.Value) -> engine.ReadResult:
        default = _base.get(config, "has_computed_default")
        state = _base.state_object(
            self.schema.block,
            {
                "inputs": _base.get(config, "inputs"),
                "outputs": _base.get(config, "inputs"),
                "random": _random_number(),
                "has_computed_default": (
                    lang.string_val("default") if default.is_null else default
                ),
                "id": lang.string_val("static"),
            },
        )
        return engine.ReadResult(state)


def provider() -> _base.TableProvider:
    return _base.TableProvider([NullResource()], [NullDataSource()])
