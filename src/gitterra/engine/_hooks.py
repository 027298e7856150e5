"""What an apply reports while it runs (Terraform's "Creating...", "Creation complete after 2s")."""

from __future__ import annotations

from typing import Protocol

from gitterra.engine._plan import ResourceChange


class ApplyHooks(Protocol):
    """Callbacks from the apply walk, in the event loop's thread; they must not block."""

    def start(self, change: ResourceChange, operation: str) -> None:
        """``operation`` is one of creating, modifying, destroying, reading."""
        ...

    def still(self, change: ResourceChange, operation: str, elapsed: float) -> None: ...

    def finish(
        self,
        change: ResourceChange,
        operation: str,
        elapsed: float,
        object_id: str | None,
        error: bool,
    ) -> None: ...

    def provisioning(self, change: ResourceChange, provisioner: str) -> None:
        """A provisioner of ``change``'s resource starts (Terraform's "Provisioning with...")."""
        ...

    def output(self, change: ResourceChange, provisioner: str, line: str) -> None:
        """A line of a provisioner's output."""
        ...


class NoHooks:
    def start(self, change: ResourceChange, operation: str) -> None:
        del change, operation

    def still(self, change: ResourceChange, operation: str, elapsed: float) -> None:
        del change, operation, elapsed

    def finish(
        self,
        change: ResourceChange,
        operation: str,
        elapsed: float,
        object_id: str | None,
        error: bool,
    ) -> None:
        del change, operation, elapsed, object_id, error

    def provisioning(self, change: ResourceChange, provisioner: str) -> None:
        del change, provisioner

    def output(self, change: ResourceChange, provisioner: str, line: str) -> None:
        del change, provisioner, line
