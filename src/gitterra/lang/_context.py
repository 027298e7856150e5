"""What functions may reach outside pure values: files, the clock, template rendering.

The language is pure; the few functions that read files (``file``, ``fileset``, ``templatefile``
...) or the time (``timestamp``) get them through the protocols here, passed in by the caller
(the command line gives a real directory and clock; tests give fakes).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from gitterra.lang._values import Value


class FileSystem(Protocol):
    """Read-only file access. Relative paths resolve against a base directory chosen by the
    implementation (Terraform's: the working directory). No method may write anything."""

    def read_bytes(self, path: str) -> bytes:
        """The file's content; raises ``FileNotFoundError``, ``IsADirectoryError``, ``OSError``."""
        ...

    def kind(self, path: str) -> str | None:
        """``"file"``, ``"dir"``, ``"other"``, or None when nothing exists at ``path``; may
        raise ``OSError`` when the answer cannot be read."""
        ...

    def glob(self, base: str, pattern: str) -> list[str]:
        """Files (not directories) under ``base`` matching ``pattern`` (``*``, ``**``, ``?``,
        ``[...]``, ``{a,b}``), as slash-separated paths relative to ``base``, sorted. A malformed
        pattern raises ``ValueError``; an unreadable directory ``OSError``."""
        ...

    def abspath(self, path: str) -> str:
        """``path`` made absolute against the base directory, without touching the disk."""
        ...

    def home(self) -> str:
        """The user's home directory (for ``pathexpand``); ``OSError`` if there is none."""
        ...


class Clock(Protocol):
    """The current time, in UTC."""

    def now(self) -> dt.datetime: ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


#: Renders template source (``templatefile``): ``(source, filename, variables) -> string value``;
#: raises ``FunctionError`` with the template's own diagnostics in its message.
TemplateRenderer = Callable[[str, str, Mapping[str, Value]], Value]


@dataclass(frozen=True, slots=True)
class FunctionContext:
    """Everything a function may use besides its arguments."""

    fs: FileSystem | None = None
    clock: Clock = field(default_factory=SystemClock)
    render_template: TemplateRenderer | None = None
