"""The built-in ``terraform.io/builtin/terraform`` provider: the ``terraform_data`` resource.

``terraform_data`` runs the standard lifecycle and does nothing else. ``input`` (any value) is
copied to ``output`` at apply, so ``output`` is unknown in a plan whenever ``input`` changes or is
unknown, with ``input``'s type. Any change of ``triggers_replace`` replaces the object, which is
how a plain value can drive ``replace_triggered_by``. ``id`` is a UUID made at create.
"""

from __future__ import annotations

import uuid

from gitterra import engine, lang
from gitterra.diag import Diagnostic, Diagnostics
from gitterra.providers import _base

SOURCE = "terraform.io/builtin/terraform"


class TerraformData(_base.ResourceType):
    name = "terraform_data"
    schema = engine.ResourceSchema(
        engine.BlockSchema(
            {
                "input": engine.Attribute(
                    lang.DYNAMIC,
                    optional=True,
                    description="A value to store in the instance state; copied to output.",
                ),
                "output": engine.Attribute(
                    lang.DYNAMIC,
                    computed=True,
                    description="The value of input after apply; unknown while input changes.",
                ),
                "triggers_replace": engine.Attribute(
                    lang.DYNAMIC,
                    optional=True,
                    description="A value whose every change replaces the resource.",
                ),
                "id": engine.Attribute(
                    lang.STRING, computed=True, description="A unique id of the instance."
                ),
            },
            description="Stores values that follow the managed resource lifecycle.",
        )
    )

    def validate(self, config: lang.Value) -> Diagnostics:
        diags = Diagnostics()
        for name in ("id", "output"):
            if not _base.get(config, name).is_null:
                diags.add(
                    Diagnostic.error(
                        f'"{name}" attribute is read-only',
                        f"terraform_data computes {name}; remove it from the configuration.",
                    )
                )
        return diags

    def plan(
        self, prior: lang.Value | None, proposed: lang.Value, config: lang.Value
    ) -> engine.PlannedChange:
        """Terraform's own rules: a new object (created, or replaced because
        ``triggers_replace`` changed) gets an unknown id; ``output`` is unknown (of ``input``'s
        type) whenever the new object's ``input`` is not the prior one's, and null with a
        null ``input``."""
        inp = _base.get(proposed, "input")
        trigger = _base.get(proposed, "triggers_replace")
        new_output = inp if inp.is_null else lang.unknown_val(inp.type)
        changes: dict[str, lang.Value] = {}
        replace: tuple[engine.AttrPath, ...] = ()
        if prior is None or prior.is_null:
            changes = {"id": lang.unknown_val(lang.STRING), "output": new_output}
        elif _base.get(prior, "triggers_replace") != trigger:
            replace = (("triggers_replace",),)
            changes = {"id": lang.unknown_val(lang.STRING), "output": new_output}
        elif _base.get(prior, "input") != inp:
            changes = {"output": new_output}
        return engine.PlannedChange(_base.with_attrs(proposed, changes), replace)

    async def create(self, planned: lang.Value, config: lang.Value | None) -> engine.ApplyResult:
        return engine.ApplyResult(_settle(planned))

    async def update(
        self, prior: lang.Value, planned: lang.Value, config: lang.Value | None
    ) -> engine.ApplyResult:
        return engine.ApplyResult(_settle(planned))

    async def import_(self, id_: str) -> engine.ImportResult:
        """Only the id can be imported: there is nowhere to read ``input`` from."""
        state = _base.state_object(self.schema.block, {"id": lang.string_val(id_)})
        return engine.ImportResult((state,))


def _settle(planned: lang.Value) -> lang.Value:
    """The applied state: the planned one with ``output`` and ``id`` filled in."""
    changes: dict[str, lang.Value] = {}
    if not _base.get(planned, "output").is_known:
        changes["output"] = _base.get(planned, "input")
    if not _base.get(planned, "id").is_known:
        changes["id"] = lang.string_val(str(uuid.uuid4()))
    return _base.with_attrs(planned, changes)


def provider() -> _base.TableProvider:
    return _base.TableProvider([TerraformData()])
