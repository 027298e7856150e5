"""Things to look at, made on a real server through its API and git: build projects and
builds, a site (balancer, listener, target group, auto scaling group of real instances), a
Terraform state naming them, git host repositories with pull requests and statuses, webhook
deliveries. And :func:`login`, a client holding a dashboard session made through the form.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import httpx

from tests.cloud.autoscaling import site as sites
from tests.cloud.codebuild.conftest import (
    B,
    P,
    W,
    buildspec,
    create,
    project,
    wait_build,
)
from tests.cloud.codebuild.gitrepo import git
from tests.cloud.conftest import wait_for

#: Terraform's lines, painted as gitterra paints them (printf formats: \033 is ESC).
PLAN = r"\033[1mPlan:\033[0m 2 to add, 1 to change, 0 to destroy."
APPLY = r"\033[1;32mApply complete!\033[0m Resources: 2 added, 1 changed, 0 destroyed."
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def login(url: str, token: str) -> httpx.Client:
    """A client with a dashboard session, made by posting the login form."""
    client = httpx.Client(base_url=url, timeout=60)
    form = client.get("/login")
    assert form.status_code == 200, form.text
    match = CSRF.search(form.text)
    assert match, form.text
    done = client.post("/login", data={"token": token, "csrf": match.group(1), "next": "/"})
    assert done.status_code == 303, done.text
    assert "gitterra_session" in client.cookies
    return client


def page(client: httpx.Client, path: str, status: int = 200) -> str:
    r = client.get(path)
    assert r.status_code == status, f"{path}: {r.status_code} {r.text[:2000]}"
    return r.text


def terraform_project(api: httpx.Client, name: str) -> dict[str, Any]:
    """A project whose build prints a plan and an apply as gitterra does (colours included),
    and a line with characters that mean something in HTML."""
    spec = buildspec(
        f"printf '{PLAN}\\n'",
        "echo '<b>not bold</b> & done'",
        f"printf '{APPLY}\\n'",
    )
    return create(api, P, project(name, source={"type": "NO_SOURCE", "buildspec": spec}))


def gated_project(api: httpx.Client, name: str, gates: Path, lines: int) -> dict[str, Any]:
    """A project whose build prints ``line 1`` … ``line N``, waiting after each until the
    file ``gates/<i>`` exists (the test opens the gates: no timing involved)."""
    gates.mkdir(parents=True, exist_ok=True)
    script = (
        f"for i in $(seq 1 {lines}); do printf '\\033[36mline %s\\033[0m\\n' $i; "
        f"while [ ! -e '{gates}'/$i ]; do sleep 0.05; done; done"
    )
    return create(
        api, P, project(name, source={"type": "NO_SOURCE", "buildspec": buildspec(script)})
    )


def run_build(api: httpx.Client, name: str, wait: bool = True) -> dict[str, Any]:
    build = create(api, B, {"project_name": name})
    return wait_build(api, build["id"]) if wait else build


def site(api: httpx.Client, name: str, desired: int = 1) -> sites.Site:
    """A real site: balancer, listener, target group, group of ``desired`` serving instances."""
    made = sites.build(api, name, desired=desired)
    wait_for(lambda: made.serving(desired), 180, f"site {name} to serve with {desired}")
    return made


def put_state(api: httpx.Client, project_name: str, made: sites.Site, extra: list[Any]) -> None:
    """A Terraform state for ``project_name`` managing ``made`` (plus ``extra`` resources)."""
    provider = 'provider["registry.terraform.io/hashicorp/aws"]'

    def resource(type_: str, name: str, attributes: dict[str, Any]) -> dict[str, Any]:
        return {
            "mode": "managed",
            "type": type_,
            "name": name,
            "provider": provider,
            "instances": [{"schema_version": 0, "attributes": attributes}],
        }

    doc = {
        "version": 4,
        "terraform_version": "1.9.8",
        "serial": 7,
        "lineage": str(uuid.uuid4()),
        "outputs": {"url": {"value": made.url, "type": "string"}},
        "resources": [
            resource("aws_lb", "web", {"arn": made.balancer["arn"], "id": made.balancer["arn"]}),
            resource("aws_lb_listener", "http", {"arn": made.listener["arn"], "port": 80}),
            resource("aws_lb_target_group", "web", {"arn": made.target_group["arn"]}),
            resource("aws_autoscaling_group", "web", {"id": made.group, "name": made.group}),
            *extra,
        ],
    }
    r = api.post(f"/state/{project_name}/terraform", content=json.dumps(doc))
    assert r.status_code == 200, r.text


def missing_group(name: str) -> dict[str, Any]:
    return {
        "mode": "managed",
        "type": "aws_autoscaling_group",
        "name": "gone",
        "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
        "instances": [{"schema_version": 0, "attributes": {"id": name, "name": name}}],
    }


def git_repo(api: httpx.Client, token: str, name: str, work: Path) -> str:
    """A git host repository ``name`` with one commit on main pushed from ``work``; the
    pushing remote URL."""
    repo = create(api, "/api/v1/repositories", {"name": name})
    work.mkdir(parents=True)
    git("init", "-q", "-b", "main", ".", cwd=work)
    remote = repo["clone_url"].replace("http://", f"http://pusher:{token}@")
    git("remote", "add", "origin", remote, cwd=work)
    (work / "README").write_text("hello\n")
    git("add", "-A", cwd=work)
    git("commit", "-q", "-m", "first", cwd=work)
    git("push", "-q", "origin", "main", cwd=work)
    return remote


def push_branch(work: Path, branch: str, message: str) -> str:
    git("checkout", "-q", "-B", branch, "main", cwd=work)
    (work / "file.txt").write_text(message + "\n")
    git("add", "-A", cwd=work)
    git("commit", "-q", "-m", message, cwd=work)
    git("push", "-q", "origin", f"HEAD:refs/heads/{branch}", cwd=work)
    return git("rev-parse", "HEAD", cwd=work)


def githost_project(api: httpx.Client, name: str, repo: str) -> None:
    """A GITTERRA project building every push of ``repo`` (statuses reported)."""
    source = {
        "type": "GITTERRA",
        "location": repo,
        "buildspec": buildspec("echo built $CODEBUILD_WEBHOOK_TRIGGER"),
        "report_build_status": True,
    }
    create(api, P, project(name, source=source))
    create(api, W, {"project_name": name})


def github_project(api: httpx.Client, name: str) -> dict[str, Any]:
    """A GITHUB project with a webhook (its deliveries are refused without the signature)."""
    source = {"type": "GITHUB", "location": "https://github.com/example/site.git"}
    create(api, P, project(name, source=source))
    return create(api, W, {"project_name": name})
