"""Kits: small, self-contained building blocks that depend only on the standard library and
``gitterra.diag``.

- :class:`Graph`: a dependency graph with deterministic topological order and cycle reports;
  :func:`walk` visits it concurrently with a parallelism bound (the plan and apply walks).
- :class:`LocalFileSystem`: a real directory behind the language's ``FileSystem`` protocol. The
  protocols are structural, so a kit satisfies one without importing it; the command line wires
  them together and tests use fakes.
- :func:`clean_path`: Go's ``filepath.Clean``, shared by the adapter and the path functions.
- :class:`TaskSet`: supervised asyncio tasks (named, failures logged, collected on close).
"""

from gitterra.kits._dag import CycleError, Graph
from gitterra.kits._endpoint import Endpoint, default_data_dir, find_endpoint
from gitterra.kits._files import GlobPatternError, LocalFileSystem, clean_path
from gitterra.kits._overlay import OverlayFileSystem
from gitterra.kits._tasks import TaskSet
from gitterra.kits._walk import WalkResult, walk

__all__ = [
    "CycleError",
    "Endpoint",
    "GlobPatternError",
    "Graph",
    "LocalFileSystem",
    "OverlayFileSystem",
    "TaskSet",
    "WalkResult",
    "clean_path",
    "default_data_dir",
    "find_endpoint",
    "walk",
]
