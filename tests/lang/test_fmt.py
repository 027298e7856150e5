"""lang.format_source: the layout terraform fmt gives (indentation, alignment of "=" and of
trailing comments, spacing after "="), everything else kept; formatting twice changes nothing."""

from __future__ import annotations

import textwrap

import hcl2
import pytest

from gitterra.lang import format_source


def fmt(text: str) -> str:
    return format_source(textwrap.dedent(text).lstrip("\n"))


def same(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


CASES = {
    "indentation and alignment": (
        """
        variable "ports" {
        type    = list(number)
            default = [80, 443]
          description="the ports"
        }
        """,
        """
        variable "ports" {
          type        = list(number)
          default     = [80, 443]
          description = "the ports"
        }
        """,
    ),
    "a blank line, a block or a multi-line value ends a run": (
        """
        resource "aws_lb" "web" {
          name = "web"
          internal = false

          load_balancer_type = "application"
          tags = {
            Name = "web"
            Environment = "prod"
          }
          idle_timeout = 60
        }
        """,
        """
        resource "aws_lb" "web" {
          name     = "web"
          internal = false

          load_balancer_type = "application"
          tags = {
            Name        = "web"
            Environment = "prod"
          }
          idle_timeout = 60
        }
        """,
    ),
    "trailing comments align along a run": (
        """
        locals {
          a = 1 # one
          bbb = 22 // two
          c = 3 /* three */
          # a comment alone
          d = 4
        }
        """,
        """
        locals {
          a   = 1  # one
          bbb = 22 // two
          c   = 3  /* three */
          # a comment alone
          d = 4
        }
        """,
    ),
    "lists, calls and nested brackets indent one level per line that opens": (
        """
        locals {
        subnets=[
        "a",
              "b",
        ]
        merged = merge(
        { a = 1 },
        { b = 2 },
        )
        services = list(object({
        name = string
        replicas = optional(number, 1)
        }))
        }
        """,
        """
        locals {
          subnets = [
            "a",
            "b",
          ]
          merged = merge(
            { a = 1 },
            { b = 2 },
          )
          services = list(object({
            name     = string
            replicas = optional(number, 1)
          }))
        }
        """,
    ),
    "heredocs, strings with brackets and multi-line comments are kept": (
        """
        locals {
        script = <<-EOT
              #!/bin/bash
            echo "${var.x}" {\x20\x20
          EOT
        s = "a { b [ ("
        t = "${join(",", [for k, v in var.m : "${k}=${v}"])}"
        cond = var.n == 1 ? 1 : 0
        cmp = var.n >= 1 && var.n != 2
        pairs = { for k, v in var.m : k => v }
        }
        /* a {
              comment [ kept */
        """,
        """
        locals {
          script = <<-EOT
              #!/bin/bash
            echo "${var.x}" {\x20\x20
          EOT
          s     = "a { b [ ("
          t     = "${join(",", [for k, v in var.m : "${k}=${v}"])}"
          cond  = var.n == 1 ? 1 : 0
          cmp   = var.n >= 1 && var.n != 2
          pairs = { for k, v in var.m : k => v }
        }
        /* a {
              comment [ kept */
        """,
    ),
    "trailing whitespace, tabs, CRLF and blank lines at the end": (
        'output "x" {  \r\n\tvalue = 1\t\r\n}\r\n\r\n\r\n',
        'output "x" {\n  value = 1\n}\n',
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_layout(name: str) -> None:
    given, expected = CASES[name]
    if given.startswith("\n"):
        given, expected = same(given), same(expected)
    assert format_source(given) == expected
    assert format_source(expected) == expected, "formatting twice changes nothing"
    assert hcl2.loads(given) == hcl2.loads(expected), "the meaning is kept"


def test_empty_and_already_formatted() -> None:
    assert format_source("") == ""
    assert format_source("\n\n") == ""
    text = 'resource "terraform_data" "a" {\n  input = "x"\n}\n'
    assert format_source(text) == text


def test_the_scaffold_is_rebuilt_from_a_flattened_copy() -> None:
    """Every line of the scaffold's modules stripped of its indentation and of the spaces
    before "=": formatting gives back the files exactly."""
    import re
    from importlib import resources

    from gitterra.lang._fmt import _scan

    root = resources.files("gitterra.cli") / "scaffold" / "fox-or-bear"
    files = [root / "deployment-pipeline" / "main.tf"]
    files += [f for f in (root / "infra").iterdir() if f.name.endswith(".tf")]
    assert len(files) > 3
    for file in files:
        text = file.read_text()
        flat = [
            line.text if line.verbatim else re.sub(r"^(\S+) +=", r"\1=", line.text.strip())
            for line in _scan(text)
        ]
        assert format_source("\n".join(flat)) == text, file.name
