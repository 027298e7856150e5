"""Finding the gitterra server: ``GITTERRA_ENDPOINT``/``GITTERRA_TOKEN``, else the data dir's
``server.json`` and ``token`` files (``GITTERRA_DATA_DIR``, default ``~/.local/share/gitterra``)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Endpoint:
    url: str
    token: str


def default_data_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    explicit = env.get("GITTERRA_DATA_DIR")
    if explicit:
        return Path(explicit)
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "gitterra"


def find_endpoint(env: Mapping[str, str] | None = None) -> Endpoint | None:
    """The server to talk to, or None when none is configured or running."""
    env = os.environ if env is None else env
    url, token = env.get("GITTERRA_ENDPOINT"), env.get("GITTERRA_TOKEN")
    if url and token:
        return Endpoint(url.rstrip("/"), token)
    data_dir = default_data_dir(env)
    try:
        info = json.loads((data_dir / "server.json").read_text())
        found_token = (data_dir / "token").read_text().strip()
    except (OSError, ValueError):
        return None
    found_url = url or info.get("url")
    if not isinstance(found_url, str) or not found_token:
        return None
    return Endpoint(found_url.rstrip("/"), token or found_token)
