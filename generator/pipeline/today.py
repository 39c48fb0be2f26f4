"""The date review checks use, read from the environment here, above the model, and passed down."""

from __future__ import annotations

import os
from datetime import date


def today() -> date:
    """The date used for review checks; KB_TODAY=YYYY-MM-DD makes builds reproducible."""
    value = os.environ.get("KB_TODAY")
    return date.fromisoformat(value) if value else date.today()
