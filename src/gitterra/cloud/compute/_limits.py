"""Instance types as resource limits: memory through ``RLIMIT_AS``, CPU through a cgroup.

Memory: every process of an instance gets ``RLIMIT_AS`` = the type's memory plus
:data:`MEMORY_HEADROOM_MIB`. ``RLIMIT_AS`` bounds *virtual* address space, which a Python server
reserves well beyond what it touches (interpreter and libraries, a stack per thread, malloc
arenas). Measured for a static-site instance (runner and static server are one process): 33 MiB
resident and 38 MiB of address space idle; after 60 concurrent 5 MB downloads 36-41 MiB resident,
116 MiB of address space, 170 MiB at the peak. That is with the bounds the runner sets: 1 MiB thread
stacks, a static-server thread pool of 8, ``MALLOC_ARENA_MAX=2`` — without them the same load
reserved 1.4 GiB. The headroom keeps a t2.nano (512 MiB) from failing on reservations it never
uses. The limit is per process, not per instance: it is what the OS enforces without a memory
cgroup. (A process image's runner is 24 MiB resident, plus the user's program.)

CPU: the instance's vCPUs become a bandwidth quota of a cgroup (``cpu.max`` on cgroup v2,
``cpu.cfs_quota_us`` on a v1 ``cpu`` hierarchy), probed at start by creating one. When no cgroup
can be created (no permission, no delegated controller) instances run at ``nice`` 10 instead —
that only yields to the control plane and is reported as *not enforced*.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from gitterra.cloud import meta

MIB = 1024 * 1024
MEMORY_HEADROOM_MIB = 256
NICE_FALLBACK = 10
_PERIOD_US = 100_000


def memory_limit_bytes(instance_type: str) -> int:
    """The ``RLIMIT_AS`` of every process of an instance of ``instance_type``."""
    memory_mib, _ = meta.INSTANCE_TYPES[instance_type]
    return (memory_mib + MEMORY_HEADROOM_MIB) * MIB


def vcpus(instance_type: str) -> int:
    return meta.INSTANCE_TYPES[instance_type][1]


@dataclass(frozen=True, slots=True)
class CpuControl:
    """How instances' CPU is limited: ``cgroup2`` / ``cgroup1`` under ``root``, or ``nice``."""

    kind: str
    root: Path | None

    @property
    def enforced(self) -> bool:
        return self.root is not None

    def describe(self) -> str:
        if self.kind == "cgroup2":
            return f"CPU enforced: cgroup v2 cpu.max under {self.root}"
        if self.kind == "cgroup1":
            return f"CPU enforced: cgroup v1 cpu.cfs_quota_us under {self.root}"
        return (
            f"CPU NOT enforced (no cgroup could be created): instances run at nice {NICE_FALLBACK}"
        )

    def create(self, instance_id: str, cpus: int) -> Path | None:
        """The instance's cgroup with its quota (the runner joins it), or None without one."""
        if self.root is None:
            return None
        path = self.root / instance_id
        path.mkdir(exist_ok=True)
        _write_quota(self.kind, path, cpus)
        return path

    def remove(self, path: str | None) -> None:
        """Remove an instance's (empty) cgroup; one that still holds processes is kept."""
        if path:
            with contextlib.suppress(FileNotFoundError, OSError):
                os.rmdir(path)

    def procs(self, path: str | None) -> list[int]:
        """Processes still in an instance's cgroup (what escaped its process group)."""
        if not path:
            return []
        try:
            text = (Path(path) / "cgroup.procs").read_text()
        except OSError:
            return []
        return [int(line) for line in text.split()]

    def close(self) -> None:
        if self.root is not None:
            with contextlib.suppress(OSError):
                os.rmdir(self.root)


def _write_quota(kind: str, path: Path, cpus: int) -> None:
    quota = cpus * _PERIOD_US
    if kind == "cgroup2":
        (path / "cpu.max").write_text(f"{quota} {_PERIOD_US}\n")
    else:
        (path / "cpu.cfs_period_us").write_text(f"{_PERIOD_US}\n")
        (path / "cpu.cfs_quota_us").write_text(f"{quota}\n")


def detect_cpu(data_dir: Path) -> CpuControl:
    """Probe for a cgroup we may create (v2 first, then v1); fall back to ``nice``.

    The instances' cgroups live in ``gitterra-<hash of the data dir>`` below the server's own
    cgroup, so two servers on one machine never share one."""
    tag = "gitterra-" + hashlib.sha1(str(data_dir).encode()).hexdigest()[:10]
    for kind, base in _candidates():
        root = base / tag
        try:
            _prepare(kind, base, root)
        except OSError:
            continue
        return CpuControl(kind, root)
    return CpuControl("nice", None)


def _prepare(kind: str, base: Path, root: Path) -> None:
    """Create ``root`` and check a child with a quota can be made in it."""
    if kind == "cgroup2":
        if "cpu" not in (base / "cgroup.controllers").read_text().split():
            raise OSError(errno.ENOTSUP, "cpu controller not delegated")
        _enable_cpu(base)
    root.mkdir(exist_ok=True)
    if kind == "cgroup2":
        _enable_cpu(root)
    probe = root / "probe"
    probe.mkdir(exist_ok=True)
    try:
        _write_quota(kind, probe, 1)
    finally:
        with contextlib.suppress(OSError):
            probe.rmdir()


def _enable_cpu(path: Path) -> None:
    control = path / "cgroup.subtree_control"
    if "cpu" not in control.read_text().split():
        control.write_text("+cpu\n")


def _candidates() -> list[tuple[str, Path]]:
    """(kind, our own cgroup directory) for the cgroup2 hierarchy and the v1 ``cpu`` one."""
    try:
        own = Path("/proc/self/cgroup").read_text().splitlines()
        mounts = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return []
    out: list[tuple[str, Path]] = []
    for line in mounts:
        left, _, right = line.partition(" - ")
        fields, after = left.split(), right.split()
        if len(fields) < 5 or len(after) < 3:
            continue
        fstype, mount_root, mount_point = after[0], fields[3], fields[4]
        if fstype == "cgroup2":
            path = _own_path(own, lambda controllers: controllers == "")
            kind = "cgroup2"
        elif fstype == "cgroup" and "cpu" in after[2].split(","):
            path = _own_path(own, lambda controllers: "cpu" in controllers.split(","))
            kind = "cgroup1"
        else:
            continue
        if path is None:
            continue
        rel = path[len(mount_root) :] if path.startswith(mount_root) else path
        out.append((kind, Path(mount_point + "/" + rel.lstrip("/")).resolve()))
    out.sort(key=lambda item: item[0] != "cgroup2")
    return out


def _own_path(lines: list[str], match: Callable[[str], bool]) -> str | None:
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) == 3 and match(parts[1]):
            return parts[2]
    return None
