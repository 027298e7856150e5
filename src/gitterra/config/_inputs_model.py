"""The data of root module input values: where a value came from, and the values found.

Shared by the collecting (``_inputs_sources``), resolving (``_inputs``) and checking
(``_inputs_checks``) modules. Nothing here does I/O.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Literal

from gitterra import lang
from gitterra.diag import SourceRange


class VarSource(enum.StrEnum):
    """Where a root module variable's value came from, lowest precedence first (``INPUT`` and
    ``DEFAULT`` only fill variables no other source set)."""

    DEFAULT = "default"  # the variable's own ``default``
    ENV = "env"  # a TF_VAR_<name> environment variable
    TFVARS = "tfvars"  # terraform.tfvars or terraform.tfvars.json
    AUTO = "auto"  # *.auto.tfvars / *.auto.tfvars.json, in lexical order of file names
    VAR_FILE = "var_file"  # a -var-file option
    VAR = "var"  # a -var option
    INPUT = "input"  # answered at an interactive prompt


@dataclass(frozen=True, slots=True)
class CliVar:
    """One ``-var NAME=VALUE`` or ``-var-file PATH`` option, kept in command-line order (the
    later of two options setting the same variable wins)."""

    kind: Literal["var", "var_file"]
    value: str


@dataclass(frozen=True, slots=True)
class ValueOrigin:
    """Where a variable's value was set: the source and, for values written in a file, the
    value's place (``None`` for -var, TF_VAR_, prompts and defaults)."""

    source: VarSource
    rng: SourceRange | None = None

    def describe(self, name: str) -> str:
        """How Terraform's messages name a value that has no place in a file."""
        match self.source:
            case VarSource.VAR:
                return f'set using -var="{name}=..."'
            case VarSource.ENV:
                return f"set using the TF_VAR_{name} environment variable"
            case VarSource.INPUT:
                return "set using an interactive prompt"
            case _:
                return "set from outside of the configuration"


class InputValues(dict[str, lang.Value]):
    """The value of every declared root module variable, by name (a plain ``dict`` to its
    users), with where each came from (``origins``) and the text of the files read
    (``files``, file name -> text, for showing diagnostics with a snippet).

    When the diagnostics beside it hold errors, variables whose value could not be determined
    are unknown placeholders of their type, so that later checks do not repeat the error.
    """

    origins: dict[str, ValueOrigin]
    files: dict[str, str]

    def __init__(self) -> None:
        super().__init__()
        self.origins = {}
        self.files = {}


@dataclass(frozen=True, slots=True)
class Candidate:
    """One value given for a variable by one source, before precedence picks the winner.

    File values are evaluated when the file is read (``value``); text from -var, TF_VAR_ and
    prompts (``text``) is parsed later, as the declared variable's type requires.
    """

    name: str
    source: VarSource
    value: lang.Value | None = None
    text: str = ""
    rng: SourceRange | None = None
    name_rng: SourceRange | None = None
    filename: str = ""
