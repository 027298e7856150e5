"""Isolation: user code (buildspec commands, instance user data) cannot read the server's files.

Concept: the server decides once, at start, the strongest isolation this system gives
(:func:`detect`), logs it as one line (event ``isolation``) and shows it in ``GET
/api/v1/meta``; builds and instances then run their user code through
:meth:`Isolation.command`. Levels, best first:

``user+namespace``
    The server runs as root: user code runs as the unprivileged ``gitterra-run`` (created with
    ``useradd`` when missing), inside a bubblewrap mount, pid and ipc namespace where the data
    dir is an empty tmpfs except the build's own workspace or the instance's own directory,
    the rest of the file system is read-only, ``/tmp`` is private and no other process is
    visible.
``user``
    Root, no bubblewrap: user code runs as ``gitterra-run``; the data dir is 0711 and every file
    in it 0600, so the token, the database and the key cannot be read nor the data dir listed.
    Builds and instances share that user: they are not kept from each other.
``namespace``
    Not root, with bubblewrap: the namespace above, as the server's own user.
``none``
    Nothing holds, and the log, the API and the README say so.

Rules: nothing is claimed that was not tried: each candidate level runs a probe at start that
tries to read the data dir's secrets (``_detect``), and the tests cross each barrier the level
claims (:attr:`Isolation.barriers`). Files that user code can replace are opened by the server
without following links (``open_regular``). Trees are handed to the run user without following
links (``hand_over``).

Errors::

    IsolationError     GITTERRA_ISOLATION names a level this system cannot give (or no level)
"""

from gitterra.cloud.isolation._detect import (
    ENV_VAR,
    RUN_USER,
    IsolationError,
    detect,
    ensure_user,
)
from gitterra.cloud.isolation._files import open_regular, read_regular, size_regular
from gitterra.cloud.isolation._model import (
    BARRIERS,
    LEVELS,
    NAMESPACE,
    NONE,
    USER,
    USER_NAMESPACE,
    Isolation,
    RunUser,
    Tools,
)
from gitterra.cloud.isolation._perms import hand_over, prepare_data_dir, workspace

__all__ = [
    "BARRIERS",
    "ENV_VAR",
    "LEVELS",
    "NAMESPACE",
    "NONE",
    "RUN_USER",
    "USER",
    "USER_NAMESPACE",
    "Isolation",
    "IsolationError",
    "RunUser",
    "Tools",
    "detect",
    "ensure_user",
    "hand_over",
    "open_regular",
    "prepare_data_dir",
    "read_regular",
    "size_regular",
    "workspace",
]
