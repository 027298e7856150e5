"""Loading a module directory: its ``.tf`` files, decoded, and its local child modules."""

from __future__ import annotations

import posixpath

from gitterra import lang
from gitterra.config import _decode_blocks
from gitterra.config import _model as m
from gitterra.config._decode import Decoder
from gitterra.diag import Diagnostic, DiagnosticError, Diagnostics

_MAX_DEPTH = 32


def load_module(fs: lang.FileSystem, path: str = ".") -> tuple[m.Module, Diagnostics]:
    """The module in directory ``path`` (read through ``fs``) and every local child module.

    Returns whatever could be decoded together with all the diagnostics found; the caller
    decides whether errors are fatal.
    """
    diags = Diagnostics()
    module = _load(fs, path, diags, depth=0, stack=())
    return module, diags


def _load(
    fs: lang.FileSystem,
    path: str,
    diags: Diagnostics,
    depth: int,
    stack: tuple[str, ...],
    call: m.ModuleCall | None = None,
) -> m.Module:
    module = m.Module(path=path)
    kind = fs.kind(path)
    if kind != "dir":
        what = "does not exist" if kind is None else "is not a directory"
        diags.add(
            Diagnostic.error(
                "Failed to read module directory",
                f"Module directory {path} {what}.",
                None if call is None else call.source_rng,
                None if call is None else f'module "{call.name}"',
            )
        )
        return module
    files = sorted(fs.glob(path, "*.tf"))
    for name in sorted(fs.glob(path, "*.tf.json")):
        diags.add(
            Diagnostic.error(
                "Unsupported configuration file",
                f"{_join(path, name)}: the JSON variant of the configuration language is not "
                "supported; write the file in native syntax (.tf).",
            )
        )
    dec = Decoder(module, diags)
    for name in files:
        filename = _join(path, name)
        if name == "override.tf" or name.endswith("_override.tf"):
            diags.add(
                Diagnostic.error(
                    "Unsupported override file",
                    f"{filename}: override files are not supported; merge its content into the "
                    "main configuration files.",
                )
            )
            continue
        text = _read_text(fs, filename, diags)
        if text is None:
            module.incomplete = True
            continue
        module.sources[filename] = text
        try:
            body = lang.parse_file(text, filename)
        except DiagnosticError as exc:
            diags.extend(exc.diagnostics)
            module.incomplete = True
            continue
        _decode_blocks.decode_file(dec, body)
    _load_children(fs, module, diags, depth, (*stack, posixpath.normpath(path)))
    return module


def _read_text(fs: lang.FileSystem, filename: str, diags: Diagnostics) -> str | None:
    try:
        data = fs.read_bytes(filename)
    except OSError as exc:
        diags.add(
            Diagnostic.error(
                "Failed to read file",
                f"The file {filename} could not be read: {exc.strerror or exc}.",
            )
        )
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        diags.add(
            Diagnostic.error(
                "Invalid file encoding",
                f"{filename} is not valid UTF-8 (byte offset {exc.start}); configuration files "
                "must be UTF-8 encoded.",
            )
        )
        return None


def _join(directory: str, name: str) -> str:
    return posixpath.normpath(posixpath.join(directory, name))


def is_local_source(source: str) -> bool:
    return source.startswith(("./", "../")) or source in (".", "..")


def _load_children(
    fs: lang.FileSystem, module: m.Module, diags: Diagnostics, depth: int, stack: tuple[str, ...]
) -> None:
    for call in module.module_calls.values():
        if not is_local_source(call.source):
            diags.add(
                Diagnostic.error(
                    "Unsupported module source",
                    f'gitterra loads modules from local paths only ("./..." or "../..."); '
                    f'"{call.source}" is a registry or remote address.',
                    call.source_rng,
                    f'module "{call.name}"',
                )
            )
            continue
        child_path = _join(module.path, call.source)
        if child_path in stack or depth >= _MAX_DEPTH:
            diags.add(
                Diagnostic.error(
                    "Module calls itself",
                    f"The module at {child_path} is already being loaded: module calls must not "
                    "form a cycle.",
                    call.source_rng,
                    f'module "{call.name}"',
                )
            )
            continue
        module.children[call.name] = _load(fs, child_path, diags, depth + 1, stack, call)
