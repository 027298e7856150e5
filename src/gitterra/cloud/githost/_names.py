"""Repository names: checked before any path is built from them.

A name becomes a directory (``DATA_DIR/git/<name>.git``) and a URL part (``/git/<name>.git``),
so it is a plain word: letters, digits, ``.``, ``_`` and ``-``, starting with a letter or digit,
at most 100 characters, no ``..`` and no ``.git`` ending (the host adds it). Anything else is a
:class:`~gitterra.cloud.ValidationError` naming the field and saying what is allowed.
"""

from __future__ import annotations

import re

from gitterra.cloud import ValidationError

MAX_NAME = 100

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_RULE = "use letters, digits, '.', '_' and '-', starting with a letter or digit"


def repository_name(value: object, field: str = "name") -> str:
    """``value`` as a repository name, or a ValidationError naming ``field``."""
    if not isinstance(value, str):
        raise ValidationError(f"{field} must be a string, got {type(value).__name__}", field)
    if not value:
        raise ValidationError(f"{field} must not be empty", field)
    if len(value) > MAX_NAME:
        raise ValidationError(f"{field} is longer than {MAX_NAME} characters", field)
    if not _NAME.fullmatch(value):
        raise ValidationError(f"repository name {value!r} is invalid: {_RULE}", field)
    if ".." in value:
        raise ValidationError(f"repository name {value!r} must not contain '..'", field)
    if value.lower().endswith(".git"):
        raise ValidationError(
            f"repository name {value!r} must not end with .git (the host adds it: "
            f"use {value[:-4]!r})",
            field,
        )
    return value


def branch_name(value: object, field: str) -> str:
    """A branch name as given (``main``, ``feature/x``; ``refs/heads/x`` is taken as ``x``).

    Only its shape is checked here (a string, no NUL, a sane length); whether the branch exists
    is the caller's question, answered from the repository's refs: the name is data and is
    never given to a shell."""
    if not isinstance(value, str):
        raise ValidationError(f"{field} must be a string, got {type(value).__name__}", field)
    if value.startswith("refs/heads/"):
        value = value[len("refs/heads/") :]
    if not value:
        raise ValidationError(f"{field} must name a branch", field)
    if len(value) > 255 or "\0" in value or "\n" in value:
        raise ValidationError(f"{field} {value[:60]!r}... is not a branch name", field)
    return value
