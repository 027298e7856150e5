"""The dashboard's exceptions (the tree is drawn in the package docstring).

They are answered as pages, never as the API's JSON: ``LoginRequired`` becomes a redirect to
``/login`` (or a 401 for the live log stream, which a browser cannot redirect), ``PageError`` an
HTML page with its status and a message the reader can act on.
"""

from __future__ import annotations


class DashboardError(Exception):
    """Something the dashboard answers with a page instead of the one asked for."""


class LoginRequired(DashboardError):
    """The request carries no valid session (none, expired, or logged out)."""

    def __init__(self, next_path: str) -> None:
        super().__init__("log in to see this page")
        self.next_path = next_path


class PageError(DashboardError):
    """A page cannot be shown: a bad query parameter (400) or an unknown object (404)."""

    def __init__(self, status: int, message: str, parameter: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameter = parameter
