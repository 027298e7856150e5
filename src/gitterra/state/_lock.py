"""Lock information: who holds a state lock, for what, since when.

The JSON form is Terraform's ``statemgr.LockInfo`` as Go marshals it, so a lock written by
gitterra reads in Terraform and the other way round: keys ``ID``, ``Operation``, ``Info``,
``Who``, ``Version``, ``Created`` (RFC 3339 in UTC, fraction trimmed), ``Path``.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import socket
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from gitterra import __version__
from gitterra.state import _errors, _gojson

_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?"
    r"(?:([Zz])|([+-])(\d{2}):(\d{2}))"
)
_GO_ZERO_TIME = datetime(1, 1, 1, tzinfo=UTC)
_FIELDS = ("ID", "Operation", "Info", "Who", "Version", "Path")


@dataclass(frozen=True)
class LockInfo:
    """One lock's metadata. ``created`` is timezone-aware (UTC)."""

    id: str
    operation: str
    info: str
    who: str
    version: str
    created: datetime
    path: str

    @classmethod
    def new(cls, operation: str, info: str = "", path: str = "") -> LockInfo:
        """Lock information for this process: a fresh uuid4, ``user@host``, now."""
        return cls(
            id=str(uuid.uuid4()),
            operation=operation,
            info=info,
            who=f"{_user()}@{socket.gethostname()}",
            version=__version__,
            created=datetime.now(UTC),
            path=path,
        )

    def to_json(self) -> bytes:
        """Compact JSON in Go's field order and spelling."""
        doc = _gojson.Ordered(
            ID=self.id,
            Operation=self.operation,
            Info=self.info,
            Who=self.who,
            Version=self.version,
            Created=format_rfc3339(self.created),
            Path=self.path,
        )
        return _gojson.marshal(doc, indent=False)

    @classmethod
    def from_json(cls, data: bytes, source: str = "lock info") -> LockInfo:
        """Parse lock JSON; missing fields are empty (as Go leaves them). Raises
        :class:`StateLockError` naming ``source`` and the field when the data is malformed."""
        try:
            doc = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise _errors.StateLockError(f"{source}: not valid lock JSON: {exc}") from exc
        if not isinstance(doc, dict):
            raise _errors.StateLockError(f"{source}: lock information must be a JSON object")
        fields: dict[str, str] = {}
        for name in _FIELDS:
            value = doc.get(name)
            if value is not None and not isinstance(value, str):
                raise _errors.StateLockError(f"{source}: {name}: expected a string")
            fields[name] = value or ""
        created = doc.get("Created")
        when = _GO_ZERO_TIME
        if created is not None:
            parsed = parse_rfc3339(created) if isinstance(created, str) else None
            if parsed is None:
                raise _errors.StateLockError(f"{source}: Created: not an RFC 3339 time")
            when = parsed
        return cls(
            id=fields["ID"],
            operation=fields["Operation"],
            info=fields["Info"],
            who=fields["Who"],
            version=fields["Version"],
            created=when,
            path=fields["Path"],
        )

    def describe(self) -> str:
        """The ``Lock Info:`` block Terraform prints under a lock error."""
        return (
            "Lock Info:\n"
            f"  ID:        {self.id}\n"
            f"  Path:      {self.path}\n"
            f"  Operation: {self.operation}\n"
            f"  Who:       {self.who}\n"
            f"  Version:   {self.version}\n"
            f"  Created:   {format_go_time(self.created)}\n"
            f"  Info:      {self.info}\n"
        )


def format_rfc3339(when: datetime) -> str:
    """Go's ``time.RFC3339Nano`` of ``when`` in UTC: ``2024-05-01T10:00:00.5Z``."""
    when = when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
    text = f"{when.year:04d}-{when.strftime('%m-%dT%H:%M:%S')}"  # %Y does not pad year 1
    if when.microsecond:
        text += f".{when.microsecond:06d}".rstrip("0")
    return text + "Z"


def format_go_time(when: datetime) -> str:
    """Go's ``time.Time.String()`` for a UTC time: ``2024-05-01 10:00:00.5 +0000 UTC``."""
    when = when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
    text = f"{when.year:04d}-{when.strftime('%m-%d %H:%M:%S')}"
    if when.microsecond:
        text += f".{when.microsecond:06d}".rstrip("0")
    return text + " +0000 UTC"


def parse_rfc3339(text: str) -> datetime | None:
    """An RFC 3339 time (fractions to nanoseconds, truncated to microseconds) in UTC, or None."""
    m = _RFC3339.fullmatch(text)
    if m is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    fraction = (m.group(7) or "").ljust(6, "0")[:6]
    try:
        when = datetime(year, month, day, hour, minute, second, int(fraction), tzinfo=UTC)
    except ValueError:
        return None
    if m.group(9):
        offset = timedelta(hours=int(m.group(10)), minutes=int(m.group(11)))
        try:
            when = when - offset if m.group(9) == "+" else when + offset
        except OverflowError:
            return None
    return when


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        # No passwd entry and no LOGNAME/USER (some containers): the uid still says who.
        return str(os.getuid())
