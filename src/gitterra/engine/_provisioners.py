"""``local-exec`` provisioners: run a command on the machine running gitterra, streaming its
output, when an object is created (or before it is destroyed, with ``when = destroy``)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Mapping

from gitterra import config, lang
from gitterra.diag import Diagnostic, DiagnosticError, Diagnostics


async def run_local_exec(
    prov: config.Provisioner,
    scope: lang.Scope,
    context: str,
    output: Callable[[str], None],
) -> Diagnostics:
    """Run one ``local-exec`` provisioner; errors (or, with ``on_failure = continue``, warnings)
    come back as diagnostics."""
    diags = Diagnostics()
    try:
        settings = {a.name: lang.evaluate(a.expr, scope) for a in prov.config.attributes}
    except DiagnosticError as exc:
        diags.extend(d.with_context(context) for d in exc.diagnostics)
        return diags
    command = _text(settings.get("command"))
    if command is None:
        diags.add(
            Diagnostic.error(
                "Invalid local-exec command", "command must be a known string.", prov.rng, context
            )
        )
        return diags
    interpreter = _strings(settings.get("interpreter")) or ["/bin/sh", "-c"]
    workdir = _text(settings.get("working_dir")) or None
    env = dict(os.environ)
    env.update(_env(settings.get("environment")))
    quiet = settings.get("quiet")
    shown = (
        "(sensitive value)"
        if settings["command"].sensitive or (quiet is not None and quiet.raw is True)
        else command
    )
    output(f"Executing: {[*interpreter, shown]!r}")
    try:
        proc = await asyncio.create_subprocess_exec(
            *interpreter,
            command,
            cwd=workdir,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )
    except OSError as exc:
        diags.add(_failure(prov, context, f"could not start {interpreter[0]}: {exc.strerror}"))
        return diags
    assert proc.stdout is not None
    async for raw in proc.stdout:
        output(raw.decode("utf-8", "replace").rstrip("\n"))
    code = await proc.wait()
    if code != 0:
        diags.add(_failure(prov, context, f"exit status {code}. Output above."))
    return diags


def _failure(prov: config.Provisioner, context: str, detail: str) -> Diagnostic:
    message = f"Error running command: {detail}"
    if prov.on_failure == "continue":
        return Diagnostic.warning(
            "local-exec provisioner error (ignored: on_failure = continue)",
            message,
            prov.rng,
            context,
        )
    return Diagnostic.error("local-exec provisioner error", message, prov.rng, context)


def _text(value: lang.Value | None) -> str | None:
    if value is None or value.is_null or not value.is_known:
        return None
    try:
        return lang.convert(value.unmark(), lang.STRING).as_str()
    except lang.ConversionError:
        return None


def _strings(value: lang.Value | None) -> list[str]:
    if value is None or value.is_null or not value.is_wholly_known():
        return []
    try:
        items = lang.convert(value.unmark_deep(), lang.ListType(lang.STRING)).elements()
    except lang.ConversionError:
        return []
    return [e.as_str() for e in items]


def _env(value: lang.Value | None) -> Mapping[str, str]:
    if value is None or value.is_null or not value.is_wholly_known():
        return {}
    try:
        items = lang.convert(value.unmark_deep(), lang.MapType(lang.STRING)).items()
    except lang.ConversionError:
        return {}
    return {k: v.as_str() for k, v in items.items() if not v.is_null}
