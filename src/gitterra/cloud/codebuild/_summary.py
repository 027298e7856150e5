"""What a build's log says it did to infrastructure, in one line for its commit status.

The last ``Apply complete! …``/``Destroy complete! …`` line wins, else the last plan summary
(``Plan: 1 to add, 0 to change, 0 to destroy.`` or ``No changes.``): a pull request's status
then reads "Build #7 succeeded in 4s: Plan: 0 to add, 1 to change, 0 to destroy." whatever the
buildspec is, as long as it runs ``gitterra`` (or ``terraform``) plan or apply.
"""

from __future__ import annotations

import re
from pathlib import Path

#: Only the end of a long log is read: the summary lines come last.
TAIL_BYTES = 256 * 1024

_APPLIED = re.compile(r"^(?:Apply|Destroy) complete! Resources: [^\n]*$", re.MULTILINE)
_PLANNED = re.compile(
    r"^(?:Plan: \d+ to add, \d+ to change, \d+ to destroy\.|No changes\.)", re.MULTILINE
)


def summary(log: Path) -> str | None:
    """The line that best says what the build changed, or None."""
    try:
        with log.open("rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            fh.seek(max(0, size - TAIL_BYTES))
            text = fh.read().decode("utf-8", errors="replace")
    except OSError:
        return None
    for pattern in (_APPLIED, _PLANNED):
        found = pattern.findall(text)
        if found:
            return str(found[-1]).strip()
    return None
