"""Sparklines: a series of numbers as the ``points`` of an inline SVG polyline.

Pure: values in, a string of coordinates out; the template draws the ``<svg>``. The series
share one vertical scale (``top``) so requests and errors drawn together compare honestly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 120.0
HEIGHT = 28.0
#: Room kept at the top and bottom so a flat line at zero or at the peak stays visible.
PAD = 2.0


@dataclass(frozen=True, slots=True)
class Spark:
    """Two lines on one scale: ``main`` (requests/s) and ``errors`` (errors/s)."""

    main: str
    errors: str
    peak: float
    width: float = WIDTH
    height: float = HEIGHT

    @property
    def empty(self) -> bool:
        return not self.main


def points(
    values: Sequence[float], top: float, width: float = WIDTH, height: float = HEIGHT
) -> str:
    """``values`` spread over ``width``, scaled so ``top`` reaches the top (none: ``""``)."""
    if not values:
        return ""
    if len(values) == 1:
        values = [values[0], values[0]]
    scale = (height - 2 * PAD) / top if top > 0 else 0.0
    step = width / (len(values) - 1)
    return " ".join(
        f"{i * step:.1f},{height - PAD - max(0.0, v) * scale:.1f}" for i, v in enumerate(values)
    )


def spark(main: Sequence[float], errors: Sequence[float]) -> Spark:
    """The two series drawn on the scale of the larger."""
    peak = max([*main, *errors, 0.0])
    return Spark(points(main, peak), points(errors, peak), peak)
