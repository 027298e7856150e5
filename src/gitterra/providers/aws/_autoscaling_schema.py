"""The schema and validation of ``aws_autoscaling_group`` (the AWS provider's, minus what the
local cloud cannot do, which is refused by name)."""

from __future__ import annotations

from typing import Any

from gitterra import engine, lang
from gitterra.diag import Diagnostic, Diagnostics
from gitterra.providers.aws import _kit, _resource
from gitterra.providers.aws._kit import STRING_SET, STRINGS, a

UNSUPPORTED_ATTRS = (
    "capacity_rebalance",
    "context",
    "default_cooldown",
    "desired_capacity_type",
    "enabled_metrics",
    "force_delete_warm_pool",
    "ignore_failed_scaling_activities",
    "load_balancers",
    "max_instance_lifetime",
    "metrics_granularity",
    "placement_group",
    "protect_from_scale_in",
    "service_linked_role_arn",
    "suspended_processes",
)
UNSUPPORTED_BLOCKS = (
    "mixed_instances_policy",
    "warm_pool",
    "initial_lifecycle_hook",
    "instance_maintenance_policy",
    "traffic_source",
)
HEALTH_CHECK_TYPES = ("EC2", "ELB")

PREFERENCES = _kit.block(
    {
        "min_healthy_percentage": a("O", lang.NUMBER, default=90),
        "max_healthy_percentage": a("O", lang.NUMBER, default=100),
        "instance_warmup": a("O", lang.STRING, description="Seconds (a number)."),
        "skip_matching": a("O", lang.BOOL, default=False),
        **_kit.unsupported(
            "auto_rollback",
            "checkpoint_delay",
            "checkpoint_percentages",
            "scale_in_protected_instances",
            "standby_instances",
        ),
    }
)

INSTANCE_REFRESH = _kit.block(
    {
        "strategy": a("R", lang.STRING, description='"Rolling".'),
        "triggers": a("O", STRING_SET, description="Attributes whose change starts a refresh."),
    },
    {"preferences": engine.NestedBlock(PREFERENCES, "list", max_items=1)},
)

LAUNCH_TEMPLATE = _kit.block(
    {
        "id": a("OC", lang.STRING),
        "name": a("OC", lang.STRING),
        "version": a("OC", lang.STRING, description='A number, "$Latest" or "$Default".'),
    }
)

TAG = _kit.block(
    {
        "key": a("R", lang.STRING),
        "value": a("R", lang.STRING),
        "propagate_at_launch": a("R", lang.BOOL),
    }
)

TIMEOUTS = _kit.block({"update": a("O", lang.STRING), "delete": a("O", lang.STRING)})

SCHEMA = engine.ResourceSchema(
    _kit.block(
        {
            "arn": a("C", lang.STRING),
            "id": a("C", lang.STRING, description="The group's name."),
            **_kit.name_attributes(),
            "min_size": a("R", lang.NUMBER),
            "max_size": a("R", lang.NUMBER),
            "desired_capacity": a("OC", lang.NUMBER),
            "default_instance_warmup": a("O", lang.NUMBER),
            "launch_configuration": a("O", lang.STRING),
            "target_group_arns": a("OC", STRING_SET),
            "vpc_zone_identifier": a("OC", STRING_SET, description="Subnet ids."),
            "availability_zones": a("OC", STRING_SET),
            "health_check_type": a("OC", lang.STRING, description='"EC2" or "ELB".'),
            "health_check_grace_period": a("O", lang.NUMBER, default=300),
            "termination_policies": a("O", STRINGS),
            "wait_for_capacity_timeout": a("O", lang.STRING, default="10m"),
            "min_elb_capacity": a("O", lang.NUMBER),
            "wait_for_elb_capacity": a("O", lang.NUMBER),
            "force_delete": a("O", lang.BOOL, default=False),
            **_kit.unsupported(*UNSUPPORTED_ATTRS),
        },
        {
            "launch_template": engine.NestedBlock(LAUNCH_TEMPLATE, "list", max_items=1),
            "instance_refresh": engine.NestedBlock(INSTANCE_REFRESH, "list", max_items=1),
            "tag": engine.NestedBlock(TAG, "set"),
            "timeouts": engine.NestedBlock(TIMEOUTS, "single"),
            "mixed_instances_policy": _kit.unsupported_block("instances_distribution"),
            "warm_pool": _kit.unsupported_block("pool_state", "min_size"),
            "initial_lifecycle_hook": _kit.unsupported_block("name", "lifecycle_transition"),
            "instance_maintenance_policy": _kit.unsupported_block(
                "min_healthy_percentage", "max_healthy_percentage"
            ),
            "traffic_source": _kit.unsupported_block("identifier", "type"),
        },
        "A group of instances held at its desired capacity, behind target groups.",
    ),
    version=1,
)


def check(cfg: dict[str, Any], config: lang.Value, diags: Diagnostics) -> None:
    """The group's own validation rules (unsupported arguments are refused elsewhere)."""
    _resource.check_conflicts(cfg, "name", "name_prefix", diags)
    _resource.check_conflicts(cfg, "availability_zones", "vpc_zone_identifier", diags)
    _resource.check_length(cfg, "name", 255, diags)
    _resource.check_length(cfg, "name_prefix", 255 - 26, diags)
    items = config.items()
    sources = [items["launch_configuration"], items["launch_template"]]
    if all(v.is_wholly_known() for v in sources):
        count = sum(1 for v in sources if not v.is_null and (v.type != LT_LIST or v.elements()))
        if count != 1:
            diags.add(
                Diagnostic.error(
                    "Invalid combination of arguments",
                    '"launch_configuration": one of `launch_configuration,launch_template,'
                    "mixed_instances_policy` must be specified",
                    attribute=("launch_configuration",),
                )
            )
    for lt in cfg.get("launch_template") or []:
        if lt.get("id") is not None and lt.get("name") is not None:
            diags.add(
                Diagnostic.error(
                    "Conflicting configuration arguments",
                    '"launch_template.0.id": conflicts with launch_template.0.name',
                    attribute=("launch_template", 0, "id"),
                )
            )
    _resource.check_one_of(cfg, "health_check_type", HEALTH_CHECK_TYPES, diags)
    for name in ("min_size", "max_size", "desired_capacity"):
        _resource.check_between(cfg, name, 0, 10000, diags)
    _check_capacity(cfg, diags)
    timeout = cfg.get("wait_for_capacity_timeout")
    if isinstance(timeout, str):
        seconds = _kit.parse_duration(timeout)
        if seconds is None or seconds < 0:
            diags.add(
                _resource.invalid(
                    "wait_for_capacity_timeout",
                    f'"{timeout}" is not a duration >= 0 (like "10m", "90s" or "0")',
                )
            )
    for refresh in cfg.get("instance_refresh") or []:
        _check_refresh(refresh, diags)


LT_LIST = lang.ListType(LAUNCH_TEMPLATE.implied_type())


def _check_capacity(cfg: dict[str, Any], diags: Diagnostics) -> None:
    low, high, want = cfg.get("min_size"), cfg.get("max_size"), cfg.get("desired_capacity")
    if isinstance(low, int) and isinstance(high, int) and low > high:
        diags.add(
            _resource.invalid(
                "min_size", f"min_size ({low}) must not be more than max_size ({high})"
            )
        )
    if isinstance(want, int):
        if isinstance(low, int) and want < low:
            diags.add(
                _resource.invalid(
                    "desired_capacity", f"desired_capacity ({want}) is less than min_size ({low})"
                )
            )
        if isinstance(high, int) and want > high:
            diags.add(
                _resource.invalid(
                    "desired_capacity", f"desired_capacity ({want}) is more than max_size ({high})"
                )
            )


def _check_refresh(refresh: dict[str, Any], diags: Diagnostics) -> None:
    strategy = refresh.get("strategy")
    if strategy is not None and strategy != "Rolling":
        diags.add(
            _resource.invalid(
                ("instance_refresh", 0, "strategy"),
                f'expected instance_refresh.0.strategy to be one of ["Rolling"], got "{strategy}"',
            )
        )
    allowed = {*SCHEMA.block.attributes, *SCHEMA.block.blocks, "tag"}
    for trigger in refresh.get("triggers") or []:
        if isinstance(trigger, str) and trigger not in allowed:
            diags.add(
                _resource.invalid(
                    ("instance_refresh", 0, "triggers"),
                    f'"{trigger}" is not an argument of aws_autoscaling_group, so it cannot '
                    "trigger an instance refresh",
                )
            )
    for prefs in refresh.get("preferences") or []:
        where = "instance_refresh.0.preferences.0"
        _resource.check_between(prefs, "min_healthy_percentage", 0, 100, diags, where)
        _resource.check_between(prefs, "max_healthy_percentage", 100, 200, diags, where)
        warmup = prefs.get("instance_warmup")
        if isinstance(warmup, str) and warmup and not (warmup.isdigit()):
            diags.add(
                _resource.invalid(
                    ("instance_refresh", 0, "preferences", 0, "instance_warmup"),
                    f'instance_warmup must be a whole number of seconds, got "{warmup}"',
                )
            )
