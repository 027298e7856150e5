"""Reading a backend block's settings: known names only, typed, with environment fallbacks.

Values come from the ``backend`` block (already evaluated to plain Python data) and from
``-backend-config=key=value`` (always strings), so number and bool settings also accept their
string spellings, as Terraform's type conversion does. A None value counts as unset. Where a
setting has an environment variable, the setting wins and the variable is the fallback
(Terraform's ``GetAttrEnvDefaultFallback``).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any


class BackendConfigError(Exception):
    """A backend configuration the user must fix. ``field`` names the setting (None when the
    problem is the backend type itself)."""

    def __init__(self, message: str, field: str | None) -> None:
        self.field = field
        super().__init__(message)


class Settings:
    """Typed access to one backend's settings, refusing names outside ``known``."""

    def __init__(
        self,
        backend: str,
        settings: Mapping[str, Any],
        env: Mapping[str, str],
        known: tuple[str, ...],
    ) -> None:
        self.backend = backend
        self._settings = settings
        self._env = env
        for name in settings:
            if name not in known:
                raise BackendConfigError(
                    f'backend "{backend}": unknown setting {name!r}; '
                    f"the settings are: {', '.join(sorted(known))}",
                    name,
                )

    def _raw(self, name: str, env_var: str | None) -> tuple[Any, str]:
        """The value and a description of where it came from, or (None, "")."""
        value = self._settings.get(name)
        if value is not None:
            return value, name
        if env_var is not None and self._env.get(env_var):
            return self._env[env_var], f"{name} (from {env_var})"
        return None, ""

    def fail(self, name: str, where: str, problem: str) -> BackendConfigError:
        return BackendConfigError(f'backend "{self.backend}": {where}: {problem}', name)

    def string(self, name: str, default: str = "", env_var: str | None = None) -> str:
        value, where = self._raw(name, env_var)
        if value is None:
            return default
        if not isinstance(value, str):
            raise self.fail(name, where, f"must be a string, not {_kind(value)}")
        return value

    def boolean(self, name: str, default: bool, env_var: str | None = None) -> bool:
        value, where = self._raw(name, env_var)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value in ("true", "false"):
            return value == "true"
        raise self.fail(name, where, f"must be true or false, not {value!r}")

    def whole(self, name: str, default: int, env_var: str | None = None) -> int:
        """A whole number of zero or more."""
        value, where = self._raw(name, env_var)
        if value is None:
            return default
        number = _whole_number(value)
        if number is None or number < 0:
            raise self.fail(name, where, f"must be a whole number of 0 or more, not {value!r}")
        return number


def _whole_number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal | str):
        try:
            number = Decimal(value.strip() if isinstance(value, str) else value)
        except (InvalidOperation, ValueError):
            return None
        if number.is_finite() and number == number.to_integral_value() and abs(number) < 2**63:
            return int(number)
    return None


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a bool"
    if isinstance(value, int | float | Decimal):
        return "a number"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
