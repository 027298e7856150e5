"""Rendering diagnostics as text (for people) and as Terraform's JSON (for programs)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from gitterra.diag._diagnostic import Diagnostic, Pos, SourceRange


def source_snippet(source: str, rng: SourceRange) -> tuple[int, str, int, int]:
    """The first line of ``rng`` in ``source``: ``(line number, text, highlight start, end)``.

    The highlight offsets are columns (0-based) within the returned line; a range spanning several
    lines is highlighted to the end of its first line.
    """
    lines = source.splitlines()
    index = rng.start.line - 1
    text = lines[index] if 0 <= index < len(lines) else ""
    start = max(0, min(rng.start.column - 1, len(text)))
    if rng.end.line == rng.start.line:
        end = max(start, min(rng.end.column - 1, len(text)))
    else:
        end = len(text)
    return rng.start.line, text, start, end


def render_text(
    diags: Iterable[Diagnostic],
    sources: Mapping[str, str] | None = None,
) -> str:
    """Render diagnostics for a terminal, one block each, the way Terraform prints them.

    ``sources`` maps file names to their text so the offending line can be shown and underlined.
    """
    blocks = []
    for diag in diags:
        label = "Error" if diag.is_error else "Warning"
        out = [f"{label}: {diag.summary}", ""]
        if diag.subject is not None:
            where = f"  on {diag.subject}"
            if diag.context:
                where += f", in {diag.context}"
            out.append(where + ":")
            source = (sources or {}).get(diag.subject.filename)
            if source is not None:
                line_no, text, start, end = source_snippet(source, diag.subject)
                gutter = f"{line_no:4d}: "
                out.append(gutter + text.rstrip())
                if end > start:
                    out.append(" " * (len(gutter) + start) + "^" * (end - start))
            out.append("")
        elif diag.context:
            # No place in a file to show (a provider's or the cloud's answer): still say where.
            out += [f"  in {diag.context}:", ""]
        if diag.detail:
            out.append(diag.detail)
            out.append("")
        blocks.append("\n".join(out))
    return "".join(blocks)


def _pos_json(pos: Pos, source: str | None) -> dict[str, int]:
    byte = pos.offset
    if source is not None:
        byte = len(source[: pos.offset].encode("utf-8"))
    return {"line": pos.line, "column": pos.column, "byte": byte}


def render_json(diag: Diagnostic, sources: Mapping[str, str] | None = None) -> dict[str, Any]:
    """One diagnostic in the layout of ``terraform validate -json``."""
    out: dict[str, Any] = {
        "severity": diag.severity.value,
        "summary": diag.summary,
        "detail": diag.detail,
    }
    if diag.subject is not None:
        source = (sources or {}).get(diag.subject.filename)
        out["range"] = {
            "filename": diag.subject.filename,
            "start": _pos_json(diag.subject.start, source),
            "end": _pos_json(diag.subject.end, source),
        }
        if source is not None:
            line_no, text, start, end = source_snippet(source, diag.subject)
            out["snippet"] = {
                "context": diag.context,
                "code": text,
                "start_line": line_no,
                "highlight_start_offset": start,
                "highlight_end_offset": end,
                "values": [],
            }
    return out
