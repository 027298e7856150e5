"""Commit statuses: a build says ``pending`` when it starts and its outcome when it ends, on
the commit it built, under the context ``gitterra/<project>`` with a link to the build page.

Where they go, by the project's source type (only when ``source.report_build_status`` is true,
as CodeBuild): GITTERRA through the git host's ``set_status``; GITHUB and GITEA (and GITLAB)
through the forge's status API with the matching source credential's token, the API's base
derived from the source location (``https://github.com/o/r`` → ``https://api.github.com``,
another host → ``<host>/api/v3`` (GitHub Enterprise), Gitea → ``<host>/api/v1``). A status that
cannot be posted is written in the build's log and never changes the build's outcome.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import httpx

from gitterra.cloud import CloudError
from gitterra.cloud.codebuild import _projects

if TYPE_CHECKING:
    from gitterra.cloud.codebuild._service import CodeBuild

#: A build status to the commit state forges know.
STATES = {
    "SUCCEEDED": "success",
    "FAILED": "failure",
    "TIMED_OUT": "failure",
    "FAULT": "error",
    "STOPPED": "error",
}
_GITLAB_STATES = {
    "pending": "running",
    "success": "success",
    "failure": "failed",
    "error": "canceled",
}
TIMEOUT = 10.0


class StatusError(Exception):
    """A status could not be posted (the message says where and why)."""


class Statuses:
    def __init__(self, svc: CodeBuild) -> None:
        self.svc = svc
        self._http: httpx.AsyncClient | None = None

    async def close(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def post(
        self, build: Mapping[str, Any], state: str, description: str, log: Callable[[str], None]
    ) -> None:
        """Post ``state`` for ``build``'s commit; problems go to ``log``."""
        source = build["source"]
        sha = build.get("resolved_source_version") or ""
        if not source["report_build_status"] or not sha:
            return
        context = f"gitterra/{build['project_name']}"
        target = f"{self.svc.cloud.endpoint}/builds/{build['id']}"
        try:
            if source["type"] == "GITTERRA":
                self._githost(source["location"], sha, context, state, target, description)
            elif source["type"] in ("GITHUB", "GITEA", "GITLAB"):
                await self._forge(source, sha, context, state, target, description)
            else:
                return
        except StatusError as exc:
            log(f"Could not post the commit status {state!r}: {exc}")

    def _githost(
        self, location: str, sha: str, context: str, state: str, target: str, description: str
    ) -> None:
        host = self.svc.githost
        if host is None:
            raise StatusError("the git host is not running")
        repository = _projects.repository_name(location)
        try:
            host.set_status(repository, sha, context, state, target, description)
        except CloudError as exc:
            raise StatusError(f"the git host refused it: {exc.message}") from exc

    async def _forge(
        self,
        source: Mapping[str, Any],
        sha: str,
        context: str,
        state: str,
        target: str,
        description: str,
    ) -> None:
        kind = source["type"]
        servers = {
            "GITHUB": ("GITHUB", "GITHUB_ENTERPRISE"),
            "GITEA": ("GITEA",),
            "GITLAB": ("GITLAB", "GITLAB_SELF_MANAGED"),
        }[kind]
        token = self.svc.credentials.token(*servers)
        if token is None:
            raise StatusError(f"no {kind} source credential: create one to report build status")
        url, headers, body = request(kind, source["location"], sha, token)
        body.update(context=context, target_url=target, description=description[:140])
        if kind == "GITLAB":
            body = {
                "state": _GITLAB_STATES[state],
                "name": context,
                **{k: body[k] for k in ("target_url", "description")},
            }
        else:
            body["state"] = state
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False)
        try:
            response = await self._http.post(url, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise StatusError(f"POST {url}: {exc or type(exc).__name__}") from exc
        if response.is_error:
            excerpt = " ".join(response.text.split())[:200]
            raise StatusError(f"POST {url} answered {response.status_code}: {excerpt}")


def request(
    kind: str, location: str, sha: str, token: str
) -> tuple[str, dict[str, str], dict[str, Any]]:
    """The status API call for a repository at ``location``: URL, headers, and body so far."""
    parts = urllib.parse.urlsplit(location)
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) < 2:
        raise StatusError(f"{location} does not name an owner/repository")
    owner, repo = segments[-2], segments[-1].removesuffix(".git")
    prefix = "/".join(segments[:-2])
    root = f"{parts.scheme}://{parts.netloc}" + (f"/{prefix}" if prefix else "")
    quoted = urllib.parse.quote
    if kind == "GITLAB":
        project = quoted(f"{owner}/{repo}", safe="")
        if prefix:
            project = quoted(f"{prefix}/{owner}/{repo}", safe="")
            root = f"{parts.scheme}://{parts.netloc}"
        return (
            f"{root}/api/v4/projects/{project}/statuses/{sha}",
            {"PRIVATE-TOKEN": token},
            {},
        )
    if kind == "GITHUB":
        api = "https://api.github.com" if parts.hostname == "github.com" else f"{root}/api/v3"
        headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        }
    else:
        api = f"{root}/api/v1"
        headers = {"Authorization": f"token {token}", "Accept": "application/json"}
    return f"{api}/repos/{quoted(owner)}/{quoted(repo)}/statuses/{sha}", headers, {}
