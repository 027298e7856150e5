"""The ``gitterra`` command line: Terraform's commands and flags, and gitterra's own."""

from gitterra.cli.main import main

__all__ = ["main"]
