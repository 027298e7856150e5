"""Stand-ins for the AWS calls moto does not implement, answered as AWS documents them:

- Auto Scaling ``StartInstanceRefresh``, ``DescribeInstanceRefreshes``,
  ``CancelInstanceRefresh``: each refresh walks :attr:`StandIns.refresh_script`, one step per
  describe (default: InProgress, then Successful); one active refresh per group
  (``InstanceRefreshInProgress``), ``ActiveInstanceRefreshNotFound`` when cancelling none.
- CodeBuild ``UpdateProject`` (moto's project deleted and created again with the fields
  merged), ``CreateWebhook``/``UpdateWebhook``/``DeleteWebhook`` (and the ``webhook`` of
  ``BatchGetProjects`` answers), ``ImportSourceCredentials``/``ListSourceCredentials``/
  ``DeleteSourceCredentials``.

Everything else goes to moto. The answers here are assumptions about AWS (from its API
reference), not AWS: the tests that pass through them check the requests the provider sent.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

#: forward(operation, params) -> (status, decoded answer): a request to moto itself.
Forward = Callable[[str, dict[str, Any]], tuple[int, Any]]
_NS = "http://autoscaling.amazonaws.com/doc/2011-01-01/"
_ACTIVE = ("Pending", "InProgress", "Cancelling")


class CallLike(Protocol):
    service: str
    operation: str
    params: dict[str, Any]
    region: str
    account: str


def error_answer(service: str, status: int, code: str, message: str) -> tuple[int, Any]:
    """An AWS error in the service's wire format."""
    if service in ("logs", "codebuild"):
        return status, {"__type": code, "message": message}
    inner = f"<Code>{code}</Code><Message>{message}</Message>"
    if service == "ec2":
        return (
            status,
            f"<Response><Errors><Error>{inner}</Error></Errors><RequestID>r</RequestID></Response>",
        )
    return status, (
        f"<ErrorResponse><Error><Type>Sender</Type>{inner}</Error>"
        "<RequestId>r</RequestId></ErrorResponse>"
    )


@dataclass
class Refresh:
    id: str
    group: str
    step: int = 0
    cancelled: bool = False


@dataclass
class StandIns:
    #: The (status, status reason) a refresh shows at each describe; the last one stays.
    refresh_script: list[tuple[str, str]] = field(
        default_factory=lambda: [("InProgress", ""), ("Successful", "")]
    )
    refreshes: list[Refresh] = field(default_factory=list)
    webhooks: dict[str, dict[str, Any]] = field(default_factory=dict)
    credentials: dict[str, dict[str, Any]] = field(default_factory=dict)

    def reset(self) -> None:
        self.refresh_script = [("InProgress", ""), ("Successful", "")]
        self.refreshes.clear()
        self.webhooks.clear()
        self.credentials.clear()

    def serve(self, call: CallLike, forward: Forward) -> tuple[int, Any] | None:
        """The answer to ``call``, or None to let moto answer it."""
        handler = getattr(self, f"_{call.service}_{call.operation}", None)
        return None if handler is None else handler(call, forward)  # type: ignore[no-any-return]

    # -- auto scaling -------------------------------------------------------------------------

    def _status(self, refresh: Refresh) -> tuple[str, str]:
        if refresh.cancelled:
            return "Cancelled", "cancelled by a CancelInstanceRefresh call"
        return self.refresh_script[min(refresh.step, len(self.refresh_script) - 1)]

    def _active(self, group: str) -> Refresh | None:
        for refresh in self.refreshes:
            if refresh.group == group and self._status(refresh)[0] in _ACTIVE:
                return refresh
        return None

    def _autoscaling_StartInstanceRefresh(self, call: CallLike, forward: Forward) -> Any:
        group = call.params.get("AutoScalingGroupName", "")
        status, found = forward(
            "DescribeAutoScalingGroups", {"AutoScalingGroupNames.member.1": group}
        )
        if status != 200 or f"<AutoScalingGroupName>{group}</AutoScalingGroupName>" not in found:
            return error_answer(
                "autoscaling", 400, "ValidationError", f"AutoScalingGroup name not found - {group}"
            )
        if self._active(group) is not None:
            return error_answer(
                "autoscaling",
                400,
                "InstanceRefreshInProgress",
                f"An Instance Refresh is already in progress and blocks the execution of this Instance Refresh for {group}.",
            )
        refresh = Refresh(str(uuid.uuid4()), group)
        self.refreshes.insert(0, refresh)
        return 200, _xml(
            "StartInstanceRefresh", f"<InstanceRefreshId>{refresh.id}</InstanceRefreshId>"
        )

    def _autoscaling_DescribeInstanceRefreshes(self, call: CallLike, forward: Forward) -> Any:
        group = call.params.get("AutoScalingGroupName", "")
        wanted = {v for k, v in call.params.items() if k.startswith("InstanceRefreshIds.member.")}
        members = []
        for refresh in self.refreshes:
            if refresh.group != group or (wanted and refresh.id not in wanted):
                continue
            status, reason = self._status(refresh)
            percentage = 100 if status == "Successful" else 50 if status == "InProgress" else 0
            members.append(
                f"<member><InstanceRefreshId>{refresh.id}</InstanceRefreshId>"
                f"<AutoScalingGroupName>{group}</AutoScalingGroupName><Status>{status}</Status>"
                f"<StatusReason>{reason}</StatusReason>"
                f"<PercentageComplete>{percentage}</PercentageComplete></member>"
            )
            if status in _ACTIVE:
                refresh.step += 1
        return 200, _xml(
            "DescribeInstanceRefreshes",
            f"<InstanceRefreshes>{''.join(members)}</InstanceRefreshes>",
        )

    def _autoscaling_CancelInstanceRefresh(self, call: CallLike, forward: Forward) -> Any:
        group = call.params.get("AutoScalingGroupName", "")
        refresh = self._active(group)
        if refresh is None:
            return error_answer(
                "autoscaling",
                400,
                "ActiveInstanceRefreshNotFound",
                f"No in progress or pending Instance Refresh found for Auto Scaling group {group}",
            )
        refresh.cancelled = True
        return 200, _xml(
            "CancelInstanceRefresh", f"<InstanceRefreshId>{refresh.id}</InstanceRefreshId>"
        )

    # -- codebuild ----------------------------------------------------------------------------

    def _project(self, name: str, forward: Forward) -> dict[str, Any] | None:
        status, found = forward("BatchGetProjects", {"names": [name]})
        projects = found.get("projects") if status == 200 else None
        return dict(projects[0]) if projects else None

    def _codebuild_BatchGetProjects(self, call: CallLike, forward: Forward) -> Any:
        status, found = forward("BatchGetProjects", call.params)
        for project in found.get("projects", []) if status == 200 else []:
            if project["name"] in self.webhooks:
                project["webhook"] = self.webhooks[project["name"]]
        return status, found

    def _codebuild_DeleteProject(self, call: CallLike, forward: Forward) -> Any:
        self.webhooks.pop(call.params.get("name", ""), None)
        return forward("DeleteProject", call.params)

    def _codebuild_UpdateProject(self, call: CallLike, forward: Forward) -> Any:
        name = call.params.get("name", "")
        old = self._project(name, forward)
        if old is None:
            return _not_found(f"Project {name} does not exist")
        spec = {k: v for k, v in old.items() if k not in _READ_ONLY}
        merged = {**spec, **call.params}
        forward("DeleteProject", {"name": name})
        status, created = forward("CreateProject", merged)
        if status != 200:
            forward("CreateProject", spec)  # as it was: a failed update changes nothing
            return status, created
        return 200, created

    def _codebuild_CreateWebhook(self, call: CallLike, forward: Forward) -> Any:
        name = call.params.get("projectName", "")
        if self._project(name, forward) is None:
            return _not_found(f"Project {name} does not exist")
        if name in self.webhooks:
            return error_answer(
                "codebuild",
                400,
                "ResourceAlreadyExistsException",
                f"Webhook for project {name} already exists",
            )
        self.webhooks[name] = {
            "url": f"https://codebuild.{call.region}.amazonaws.com/webhooks?t={uuid.uuid4().hex}",
            "payloadUrl": f"https://codebuild.{call.region}.amazonaws.com/webhooks?t={uuid.uuid4().hex}",
            "secret": secrets.token_hex(16),
            "filterGroups": call.params.get("filterGroups", []),
            "buildType": call.params.get("buildType", "BUILD"),
        }
        return 200, {"webhook": self.webhooks[name]}

    def _codebuild_UpdateWebhook(self, call: CallLike, forward: Forward) -> Any:
        name = call.params.get("projectName", "")
        hook = self.webhooks.get(name)
        if hook is None:
            return _not_found(f"Webhook for project {name} does not exist")
        for key in ("filterGroups", "buildType"):
            if key in call.params:
                hook[key] = call.params[key]
        return 200, {"webhook": hook}

    def _codebuild_DeleteWebhook(self, call: CallLike, forward: Forward) -> Any:
        name = call.params.get("projectName", "")
        if self.webhooks.pop(name, None) is None:
            return _not_found(f"Webhook for project {name} does not exist")
        return 200, {}

    def _codebuild_ImportSourceCredentials(self, call: CallLike, forward: Forward) -> Any:
        kind = call.params.get("serverType", "")
        arn = f"arn:aws:codebuild:{call.region}:{call.account}:token/{kind.lower()}"
        if arn in self.credentials and not call.params.get("shouldOverwrite"):
            return error_answer(
                "codebuild",
                400,
                "ResourceAlreadyExistsException",
                f"Access token with server type {kind} already exists",
            )
        self.credentials[arn] = {
            "arn": arn,
            "serverType": kind,
            "authType": call.params.get("authType"),
        }
        return 200, {"arn": arn}

    def _codebuild_ListSourceCredentials(self, call: CallLike, forward: Forward) -> Any:
        return 200, {"sourceCredentialsInfos": list(self.credentials.values())}

    def _codebuild_DeleteSourceCredentials(self, call: CallLike, forward: Forward) -> Any:
        arn = call.params.get("arn", "")
        if self.credentials.pop(arn, None) is None:
            return _not_found(f"Source credential {arn} does not exist")
        return 200, {"arn": arn}


_READ_ONLY = ("arn", "created", "lastModified", "webhook", "badge", "projectVisibility")


def _not_found(message: str) -> tuple[int, Any]:
    return error_answer("codebuild", 400, "ResourceNotFoundException", message)


def _xml(operation: str, result: str) -> str:
    return (
        f'<{operation}Response xmlns="{_NS}"><{operation}Result>{result}</{operation}Result>'
        f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata>"
        f"</{operation}Response>"
    )


def query_body(operation: str, params: dict[str, Any], version: str) -> bytes:
    """A query-protocol body."""
    from urllib.parse import urlencode

    return urlencode({"Action": operation, "Version": version, **params}).encode()


def decode(service: str, body: bytes) -> Any:
    if service in ("logs", "codebuild"):
        return json.loads(body or b"{}")
    return body.decode()
