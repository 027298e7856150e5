"""``python -m gitterra``: the same as the ``gitterra`` command."""

from gitterra.cli.main import entrypoint

entrypoint()
