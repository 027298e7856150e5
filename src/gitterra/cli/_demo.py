"""``gitterra demo``: the seed's whole story, played with real commits and pushes.

A private server in a temporary data dir (or a running one, ``--endpoint``), ``gitterra new``,
the pipeline applied, then: first deploy (Fox), scale 1 → 2, Fox → Bear under load counting
failed requests, a pull request that only plans, and destroy (unless ``--keep``). Each step
says what happened, how long it took and where to look; a spinner shows while it waits. The
exit status is 1 when a step fails, and the message names it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console

from gitterra.cli import _demo_kit as kit
from gitterra.cli import _flags as flags
from gitterra.cli import _new
from gitterra.cli._demo_kit import DemoError
from gitterra.cli._repo import Api, RepoCommandError, quote
from gitterra.cli._ui import UI
from gitterra.kits import find_endpoint

FLAGS = (
    flags.Flag("endpoint", kind="str", metavar="URL", help="Use this running server."),
    flags.Flag("keep", help="Leave everything running at the end, until Ctrl-C."),
    flags.Flag("dir", kind="str", metavar="DIR", help="Where to create the project."),
    flags.Flag("name", kind="str", default="fox-or-bear", metavar="NAME", help="Project name."),
    flags.Flag(
        "step-timeout",
        kind="int",
        default=600,
        metavar="SECONDS",
        help="How long any one step may take.",
    ),
)

HELP = """Usage: gitterra demo [--endpoint URL] [--keep] [--dir DIR] [--name NAME]

  Plays Fox-or-Bear end to end on the local cloud: starts a private gitterra server in a
  temporary data dir (or uses --endpoint, with GITTERRA_TOKEN or the data dir's token), runs
  `gitterra new`, applies the deployment pipeline, then with real commits and pushes: the first
  deploy (Fox), scale to 2 instances, Fox -> Bear under load (counting failed requests), a pull
  request that only plans, and destroy. --keep leaves everything running until Ctrl-C.
  Exit status 1 if a step fails, saying which.

Options:
"""

IDENTITY = {
    "GIT_AUTHOR_NAME": "gitterra demo",
    "GIT_AUTHOR_EMAIL": "demo@gitterra.localhost",
    "GIT_COMMITTER_NAME": "gitterra demo",
    "GIT_COMMITTER_EMAIL": "demo@gitterra.localhost",
}


def run(ui: UI, argv: list[str]) -> int:
    opts = flags.parse(FLAGS, argv, interspersed=True)
    if opts.args:
        raise flags.UsageError("demo takes no arguments")
    name = opts.get_str("name") or "fox-or-bear"
    try:
        _new.check_name(name)
    except _new.NewError as exc:
        raise flags.UsageError(str(exc)) from None
    demo = Demo(ui, name, float(opts.get_int("step-timeout")), opts.get_bool("keep"))
    return demo.play(opts.get_str("endpoint"), opts.get_str("dir"))


class Demo:
    def __init__(self, ui: UI, name: str, step_timeout: float, keep: bool) -> None:
        self.ui = ui
        self.name = name
        self.step_timeout = step_timeout
        self.keep = keep
        self.console = Console(file=ui.out, highlight=False, soft_wrap=True)
        self.server: kit.PrivateServer | None = None
        self.api: Api | None = None
        self.url = ""  # the server's
        self.site = ""
        self.number = 0

    # -- the story ------------------------------------------------------------------------

    def play(self, endpoint: str | None, directory: str | None) -> int:
        work = Path(directory) if directory else Path(tempfile.mkdtemp(prefix="gitterra-demo-"))
        project = work / self.name
        logs = work / "logs"
        saved = dict(os.environ)
        os.environ.update(IDENTITY)
        try:
            self._connect(endpoint)
            logs.mkdir(parents=True, exist_ok=True)
            self._create(project, logs)
            self._first_deploy()
            self._scale(project)
            self._bear(project)
            self._pull_request(project)
            if self.keep:
                self._hold()
            else:
                self._destroy(project, logs)
        except (DemoError, RepoCommandError, _new.NewError) as exc:
            self.console.print(f"[bold red]✗ step {self.number} failed:[/] {exc}")
            self.console.print(f"  logs: {logs}")
            return 1
        except KeyboardInterrupt:
            self.console.print("\nInterrupted.")
            return 130
        finally:
            os.environ.clear()
            os.environ.update(saved)
            self._shutdown()
        if not directory:
            shutil.rmtree(work, ignore_errors=True)
        return 0

    def _connect(self, endpoint: str | None) -> None:
        with self.step("Start a private gitterra server" if not endpoint else "Use the server"):
            if endpoint:
                found = find_endpoint({**os.environ, "GITTERRA_ENDPOINT": endpoint})
                token = os.environ.get("GITTERRA_TOKEN") or (found.token if found else "")
                if not token:
                    raise DemoError("--endpoint needs GITTERRA_TOKEN (the server's token)")
                self.url = endpoint.rstrip("/")
            else:
                self.server = kit.PrivateServer.start(self.deadline())
                self.url, token = self.server.url, self.server.token
                self.say(f"data dir {self.server.data_dir}")
            os.environ["GITTERRA_ENDPOINT"] = self.url
            os.environ["GITTERRA_TOKEN"] = token
            self.api = Api(self.url, token)
            self.api.call("GET", "/repositories")  # the token works
            self.say(f"dashboard  {self.url}/")

    def _create(self, project: Path, logs: Path) -> None:
        with self.step(f"Create the project: gitterra new {project}"):
            _new.check_directory(project)
            _new.create(_Quiet(), self.need_api(), project, self.name)
            self.say(f"repository {self.url}/git/{self.name}.git")
        with self.step("Create the pipeline: deployment-pipeline/ (init, apply)"):
            pipeline = project / "deployment-pipeline"
            kit.gitterra(pipeline, logs / "deployment-pipeline.log", "init", "-input=false")
            kit.gitterra(
                pipeline, logs / "deployment-pipeline.log", "apply", "-auto-approve", "-input=false"
            )
            self.say("CodeBuild project and webhook: pushes to main apply, pull requests plan")

    def _first_deploy(self) -> None:
        with self.step("First deploy: the Fox"):
            doc = self.need_api().call("POST", "/codebuild/builds", {"project_name": self.name})
            self._finish_build(doc)
            self.site = kit.until(
                "the site's URL in the state",
                lambda: kit.site_url(self.need_api(), self.name),
                self.deadline(),
            )
            self._until_shown("Fox", 1)
            self.say(f"site       {self.site}")

    def _scale(self, project: Path) -> None:
        with self.step("Scale to 2 instances: a one-number commit"):
            asg = project / "infra" / "asg.tf"
            asg.write_text(asg.read_text().replace("desired_capacity = 1", "desired_capacity = 2"))
            self._push(project, "Scale to 2")
            self._until_shown("Fox", 2)

    def _bear(self, project: Path) -> None:
        with self.step("Fox -> Bear under load: a site commit, rolled out"):
            load = kit.Load(self.site)
            load.start()
            try:
                index = project / "www" / "index.html"
                index.write_text(_swap(index.read_text()))
                self._push(project, "Bear")
                load.mark()  # the rollout is over: from now on, only the Bear
                self._until_shown("Bear", 2)
                marked = time.monotonic()
                kit.until("more requests", lambda: load.after_mark.total() >= 20, marked + 60)
            finally:
                load.stop()
            shown = ", ".join(f"{k} {v}" for k, v in sorted(load.seen.items()))
            self.say(f"{load.requests} requests during the rollout: {load.failed} failed ({shown})")
            if load.failed:
                raise DemoError(f"{load.failed} requests failed during the rollout: {load.errors}")
            if set(load.after_mark) != {"Bear"}:
                raise DemoError(f"after the rollout the site still served {load.after_mark}")

    def _pull_request(self, project: Path) -> None:
        with self.step("A pull request: planned, not applied"):
            kit.git(project, "switch", "--quiet", "--create", "scale-to-3")
            asg = project / "infra" / "asg.tf"
            asg.write_text(asg.read_text().replace("desired_capacity = 2", "desired_capacity = 3"))
            kit.git(project, "commit", "--quiet", "--all", "--message", "Scale to 3")
            kit.git(project, "push", "--quiet", "--set-upstream", "origin", "scale-to-3")
            sha = kit.git(project, "rev-parse", "HEAD")
            api = self.need_api()
            body = {"head": "scale-to-3", "base": "main", "title": "Scale to 3"}
            pull = api.call("POST", f"/repositories/{quote(self.name)}/pulls", body)
            doc = kit.build_of_commit(api, self.name, sha, self.deadline())
            log = kit.build_log(api, self._finish_build(doc)["id"])
            plan = next((ln for ln in log.splitlines() if ln.startswith("Plan: ")), None)
            if plan is None or "Apply complete" in log:
                raise DemoError("the pull request's build did not only plan (see its log)")
            self.say(f"pull request #{pull['number']}: {plan}")
            status = kit.until(
                "the pull request's status",
                lambda: _final_status(api, self.name, pull["number"]),
                self.deadline(),
            )
            self.say(f"status     {status}; the site still serves 2 instances of the Bear")
            self._until_shown("Bear", 2, exactly=True)
            kit.git(project, "switch", "--quiet", "main")

    def _destroy(self, project: Path, logs: Path) -> None:
        with self.step("Destroy: the pipeline tears the infrastructure down"):
            api = self.need_api()
            override = [{"name": "DESTROY", "value": "true"}]
            body = {"project_name": self.name, "environment_variables_override": override}
            self._finish_build(api.call("POST", "/codebuild/builds", body))
            kit.until("the site to stop answering", self._site_gone, self.deadline())
            pipeline = project / "deployment-pipeline"
            kit.gitterra(
                pipeline,
                logs / "deployment-pipeline.log",
                "destroy",
                "-auto-approve",
                "-input=false",
            )
            self.say("no listener, no instance, an empty state")

    def _hold(self) -> None:
        self.console.print()
        self.console.print(f"Everything is running: site {self.site}, dashboard {self.url}/")
        self.console.print("Ctrl-C to stop.")
        stop = threading.Event()
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        stop.wait()

    # -- helpers --------------------------------------------------------------------------

    def need_api(self) -> Api:
        assert self.api is not None
        return self.api

    def deadline(self) -> float:
        return time.monotonic() + self.step_timeout

    @contextlib.contextmanager
    def step(self, title: str) -> Iterator[None]:
        self.number += 1
        self.console.print(f"[bold]{self.number}. {title}[/]")
        started = time.monotonic()
        with self.console.status(title, spinner="dots"):
            yield
        self.console.print(f"   [green]✓[/] {time.monotonic() - started:.1f} s")

    def say(self, text: str) -> None:
        self.console.print(f"   {text}", markup=False)

    def _push(self, project: Path, message: str) -> dict[str, Any]:
        kit.git(project, "commit", "--quiet", "--all", "--message", message)
        pushed = time.monotonic()
        kit.git(project, "push", "--quiet")
        sha = kit.git(project, "rev-parse", "HEAD")
        doc = self._finish_build(kit.build_of_commit(self.need_api(), self.name, sha, pushed + 60))
        self.say(f"push to build done: {time.monotonic() - pushed:.1f} s")
        return doc

    def _finish_build(self, doc: dict[str, Any]) -> dict[str, Any]:
        self.say(f"build      {self.url}/builds/{doc['id']}")
        done = kit.wait_build(self.need_api(), doc["id"], self.deadline())
        if done["status"] != "SUCCEEDED":
            tail = "\n".join(kit.build_log(self.need_api(), doc["id"]).splitlines()[-20:])
            raise DemoError(f"build #{done['build_number']} ended {done['status']}:\n{tail}")
        return done

    def _until_shown(self, name: str, instances: int, exactly: bool = False) -> None:
        """Wait until ``instances`` different instances answer with ``name`` (and, ``exactly``,
        no other instance answers)."""
        seen: dict[str, str | None] = {}

        def shown() -> bool:
            with httpx.Client(timeout=10) as client:
                for _ in range(8 * instances):
                    animal, instance = kit.answer(client, self.site)
                    seen[instance or "?"] = animal
            serving = [i for i, a in seen.items() if a == name]
            if exactly and len(seen) > instances:
                raise DemoError(f"{len(seen)} instances answered, expected {instances}")
            return len(serving) >= instances and all(a == name for a in seen.values())

        kit.until(f"{instances} instance(s) serving the {name}", shown, self.deadline(), 0.5)
        self.say(f"{instances} instance(s) serve the {name}: {', '.join(sorted(seen))}")

    def _site_gone(self) -> bool:
        try:
            httpx.get(self.site, timeout=5)
        except httpx.HTTPError:
            return True
        return False

    def _shutdown(self) -> None:
        if self.api is not None:
            self.api.close()
        if self.server is not None:
            self.server.stop()
            shutil.rmtree(self.server.data_dir, ignore_errors=True)


class _Quiet(UI):
    """A UI whose output goes nowhere (``new``'s own messages, inside a demo step)."""

    def print(self, text: str = "") -> None:
        del text


def _swap(html: str) -> str:
    """Comment out the Fox, uncomment the Bear: the seed's one-line edit."""
    fox = '<h1>Fox</h1> <img src="fox.svg" alt="A Fox">'
    bear = '<h1>Bear</h1> <img src="bear.svg" alt="A Bear">'
    swapped = html.replace(f"<!-- {bear} -->", bear).replace(fox, f"<!-- {fox} -->", 1)
    if swapped == html:
        raise DemoError("www/index.html no longer has the Fox and the commented-out Bear")
    return swapped


def _final_status(api: Api, repo: str, number: int) -> str | None:
    doc = api.call("GET", f"/repositories/{quote(repo)}/pulls/{number}")
    status = doc.get("status")
    return str(status) if status in ("success", "failure", "error") else None
