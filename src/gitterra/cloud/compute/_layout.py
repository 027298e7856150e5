"""An instance's directory (``DATA_DIR/instances/<id>/``) and the environments of its processes.

::

    boot.sh        the decoded user_data (mode 0700), run with bash
    www/           DOCUMENT_ROOT (static-site images)
    runner.json    what the runner needs (address, image kind, limits, boot environment)
    console.log    boot script and server output, timestamped lines (kept after termination)
    exit.json      why the instance ended, written by the runner on its way out

When the server confines user code (``gitterra.cloud.isolation``) the directory and all in it
belong to the run user: the confined runner writes the console and ``exit.json`` itself.

The boot script's environment is built here from nothing: the documented variables, and
``PATH``/``LANG`` from the server's environment. Nothing else of the server's environment (its
token above all) reaches an instance.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import gitterra
from gitterra.cloud import ids, meta
from gitterra.cloud.compute import _console, _limits, _runner, _spec

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


@dataclass(frozen=True, slots=True)
class Address:
    ip: str
    port: int


def boot_env(
    instance_id: str,
    directory: Path,
    image: meta.Image,
    spec: _spec.LaunchSpec,
    address: Address,
    endpoint: str,
    host_env: dict[str, str],
) -> dict[str, str]:
    """The documented environment of the boot script (docs/cloud-api.md "Instances")."""
    env = {
        "INSTANCE_ID": instance_id,
        "PRIVATE_IP": address.ip,
        "PORT": str(address.port),
        "GITTERRA_ENDPOINT": endpoint,
        "IMAGE_ID": image.id,
        "INSTANCE_TYPE": spec.instance_type,
        "AWS_REGION": ids.REGION,
        "PATH": host_env.get("PATH", DEFAULT_PATH),
        "HOME": str(directory),
        "LANG": host_env.get("LANG", "C.UTF-8"),
    }
    if image.kind == _runner.STATIC_SITE:
        env["DOCUMENT_ROOT"] = str(directory / "www")
    return env


def create(
    directory: Path,
    spec: _spec.LaunchSpec,
    image: meta.Image,
    env: dict[str, str],
    cgroup: Path | None,
    address: Address,
    cpu: _limits.CpuControl,
    grace: float,
    confine: list[str] | None = None,
) -> _runner.RunnerConfig:
    """Create the directory with its boot script, document root, console and runner
    configuration (``confine``: the confined runner's argv, see ``_runner``)."""
    directory.mkdir(parents=True, mode=0o700)
    boot = directory / _runner.BOOT
    boot.write_bytes(spec.user_data)
    boot.chmod(0o700)
    (directory / _console.FILENAME).touch(mode=0o600)
    root = env.get("DOCUMENT_ROOT")
    if root is not None:
        Path(root).mkdir()
    config = _runner.RunnerConfig(
        instance_id=env["INSTANCE_ID"],
        kind=image.kind,
        private_ip=address.ip,
        port=address.port,
        document_root=root,
        env=env,
        memory_bytes=_limits.memory_limit_bytes(spec.instance_type),
        cgroup=str(cgroup) if cgroup else None,
        nice=None if cgroup else _limits.NICE_FALLBACK,
        grace=grace,
        limits=cpu.describe(),
        confine=confine or [],
    )
    config.write(directory)
    return config


def runner_env(env: dict[str, str]) -> dict[str, str]:
    """The runner's own environment: the boot environment plus what Python needs to find
    gitterra and keep its address space small (the runner hands bash the boot one only)."""
    source_root = str(Path(gitterra.__file__).resolve().parent.parent)
    return {**env, "PYTHONPATH": source_root, "MALLOC_ARENA_MAX": "2"}
