"""diag.render_text: where a diagnostic is, with or without a place in a file."""

from __future__ import annotations

from gitterra.diag import Diagnostic, Pos, SourceRange, render_text

RESOURCE = 'resource "aws_lb" "web"'


def test_a_place_in_a_file_with_its_line_underlined() -> None:
    source = 'resource "aws_lb" "web" {\n  name = 42\n}\n'
    at = SourceRange("main.tf", Pos(2, 10, 35), Pos(2, 12, 37))
    problem = Diagnostic.error("Bad name", "Give a string.", at, RESOURCE)
    assert render_text([problem], {"main.tf": source}) == (
        "Error: Bad name\n\n"
        f"  on main.tf:2:10, in {RESOURCE}:\n"
        "   2:   name = 42\n"
        "               ^^\n\n"
        "Give a string.\n"
    )


def test_without_a_place_the_context_is_still_said() -> None:
    problem = Diagnostic.error("Error creating load balancer", "the cloud said no", None, RESOURCE)
    assert render_text([problem]) == (
        f"Error: Error creating load balancer\n\n  in {RESOURCE}:\n\nthe cloud said no\n"
    )
    assert render_text([Diagnostic.warning("Odd", "detail")]) == "Warning: Odd\n\ndetail\n"
