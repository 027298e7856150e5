"""A module like the seed's infrastructure, planned and applied with the real engine
(``gitterra.engine.plan``/``apply``) through an ``aws`` provider factory the test chooses (the
fake API, or a real server)."""

from __future__ import annotations

import asyncio
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gitterra import config, engine, lang, state
from gitterra.diag import Diagnostics
from gitterra.kits import LocalFileSystem
from gitterra.lang import functions
from gitterra.providers import aws

#: The seed's web stack on the local cloud: a security group, a launch template whose
#: user_data writes the page, a target group, a load balancer and its listener, and an
#: auto-scaling group with an instance refresh. Health checks are fast for tests.
MODULE = r"""
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

provider "aws" {
  region = "eu-west-3"
}

variable "desired_capacity" {
  type    = number
  default = 2
}

variable "page" {
  type    = string
  default = "Fox"
}

data "aws_ami" "site" {
  most_recent = true
  owners      = ["gitterra"]

  filter {
    name   = "name"
    values = ["gitterra-static-site-*"]
  }
}

data "aws_vpc" "default" {
  default = true
}

data "aws_subnet_ids" "subnet_ids" {
  vpc_id = data.aws_vpc.default.id
}

resource "aws_security_group" "web" {
  name   = "web-sg"
  vpc_id = data.aws_vpc.default.id

  ingress {
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_launch_template" "web" {
  name_prefix            = "web-"
  image_id               = data.aws_ami.site.id
  instance_type          = "t2.micro"
  vpc_security_group_ids = [aws_security_group.web.id]
  update_default_version = true
  user_data = base64encode(<<-EOT
    #!/bin/bash
    echo "<h1>${var.page}</h1>" > "$DOCUMENT_ROOT/index.html"
  EOT
  )
}

resource "aws_lb_target_group" "web" {
  name                 = "web-tg"
  port                 = 80
  protocol             = "HTTP"
  vpc_id               = data.aws_vpc.default.id
  deregistration_delay = 1

  health_check {
    path                = "/"
    interval            = 1
    timeout             = 0.5
    healthy_threshold   = 2
    unhealthy_threshold = 2
  }
}

resource "aws_lb" "web" {
  name            = "web-lb"
  security_groups = [aws_security_group.web.id]
  subnets         = data.aws_subnet_ids.subnet_ids.ids
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.web.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }
}

resource "aws_autoscaling_group" "web" {
  name                      = "web"
  min_size                  = 1
  max_size                  = 4
  desired_capacity          = var.desired_capacity
  vpc_zone_identifier       = data.aws_subnet_ids.subnet_ids.ids
  target_group_arns         = [aws_lb_target_group.web.arn]
  health_check_type         = "ELB"
  health_check_grace_period = 60
  wait_for_elb_capacity     = var.desired_capacity
  wait_for_capacity_timeout = "5m"

  launch_template {
    id      = aws_launch_template.web.id
    version = aws_launch_template.web.latest_version
  }

  instance_refresh {
    strategy = "Rolling"
    preferences {
      min_healthy_percentage = 100
      max_healthy_percentage = 200
      instance_warmup        = 1
    }
  }
}

output "url" {
  value = aws_lb_listener.http.gitterra_url
}
"""


def with_launch_configuration(module: str) -> str:
    """The stack with the seed's launch configuration (a name prefix, replaced before the old
    one is destroyed) instead of the launch template."""
    start = module.index('resource "aws_launch_template" "web"')
    end = module.index('resource "aws_lb_target_group" "web"')
    config = """resource "aws_launch_configuration" "web" {
  name_prefix     = "web-"
  image_id        = data.aws_ami.site.id
  instance_type   = "t2.micro"
  security_groups = [aws_security_group.web.id]
  user_data       = <<-EOT
    #!/bin/bash
    echo "<h1>${var.page}</h1>" > "$DOCUMENT_ROOT/index.html"
  EOT

  lifecycle {
    create_before_destroy = true
  }
}

"""
    module = module[:start] + config + module[end:]
    old = module[module.index("  launch_template {") : module.index("  instance_refresh {")]
    return module.replace(old, "  launch_configuration = aws_launch_configuration.web.name\n\n")


class Stack:
    """One module directory, its state, and the provider factory plans and applies use."""

    def __init__(
        self, path: Path, factory: Callable[[], engine.Provider], module: str = MODULE
    ) -> None:
        self.path = path
        self.path.mkdir(parents=True, exist_ok=True)
        (self.path / "main.tf").write_text(textwrap.dedent(module))
        self.registry = engine.ProviderRegistry({aws.SOURCE: factory})
        self.state = state.State.new()
        self.fs = LocalFileSystem(str(self.path))
        self.diags = Diagnostics()

    def _module(self) -> config.Module:
        module, diags = config.load_module(self.fs, ".")
        assert not diags.has_errors, [str(d) for d in diags]
        return module

    def plan(self, destroy: bool = False, **variables: Any) -> tuple[engine.Plan, Diagnostics]:
        module = self._module()
        fctx = lang.function_context(self.fs, functions.builtins())
        inputs = {k: lang.from_python(v) for k, v in variables.items()}
        opts = engine.PlanOptions(mode="destroy" if destroy else "normal")
        return asyncio.run(
            engine.plan(module, self.state, self.registry, inputs, fctx, str(self.path), opts)
        )

    def apply(self, destroy: bool = False, failing: bool = False, **variables: Any) -> engine.Plan:
        """Plan and apply; fails the test on any error (or, ``failing``, on none: the apply's
        diagnostics are then in ``self.diags``). Returns the plan applied."""
        the_plan, diags = self.plan(destroy, **variables)
        assert not diags.has_errors, [str(d) for d in diags]
        module = self._module()
        fctx = lang.function_context(self.fs, functions.builtins())

        async def persist(snapshot: state.State) -> None:
            self.state = snapshot

        final, diags = asyncio.run(
            engine.apply(the_plan, module, self.registry, fctx, str(self.path), persist)
        )
        assert diags.has_errors == failing, [str(d) for d in diags]
        self.diags = diags
        self.state = final
        return the_plan

    def output(self, name: str) -> Any:
        return self.state.outputs[name].value

    def attributes(self, address: str) -> dict[str, Any]:
        rs = self.state.resource(address)
        assert rs is not None, address
        current = rs.instances[None].current
        assert current is not None
        return dict(current.attributes)


def actions(the_plan: engine.Plan) -> dict[str, str]:
    """Address -> action name, for resources that change."""
    return {
        str(c.addr): c.action.name
        for c in the_plan.changes
        if c.action is not engine.Action.NOOP and c.action is not engine.Action.READ
    }
