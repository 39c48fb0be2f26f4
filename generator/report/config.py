"""`kb-report.yml`: targets, technician names and the step-order threshold of the report.

Optional: without the file the defaults below apply. Read with the hardened loader and checked
like content (unknown keys, wrong types and bad values are errors at ``kb-report.yml:line:col``).
The default targets come from the field; docs/metrics.md names their sources.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from generator.content.sources import decode
from generator.content.yamlsafe import load
from generator.diagnostics import ContentError
from generator.model.build import build_model
from generator.model.fields import STRICT
from generator.report.steporder import MIN_RUNS

CONFIG_FILE = "kb-report.yml"


class Targets(BaseModel):
    """Where each KPI should be: rates in whole percent (66 = 66 %), times in seconds; null = no target."""

    model_config = STRICT

    fcr: int | None = Field(66, ge=0, le=100, description="First-contact resolution at least this % (HDI "
                            "benchmarks put the help-desk average near 66 %).")
    csat: int | None = Field(90, ge=0, le=100, description="Share of 4-5 CSAT answers at least this % (above "
                             "90 % is commonly rated 'very good').")
    link_rate: int | None = Field(60, ge=0, le=100, description="KCS link rate at least this % (KCS v6 "
                                  "practices: 60-80 % of cases linked to an article).")
    escalation_rate: int | None = Field(None, ge=0, le=100, description="Escalation rate at most this %.")
    abandonment_rate: int | None = Field(None, ge=0, le=100, description="Abandonment rate at most this %.")
    median_response_seconds: int | None = Field(None, ge=0, description="Median response time at most this.")
    median_resolution_seconds: int | None = Field(None, ge=0, description="Median resolution time at most this.")

    def as_report(self) -> dict[str, float | None]:
        """As report.json states them: rates as fractions, like the KPIs."""
        out: dict[str, float | None] = {}
        for key, value in self.model_dump().items():
            out[key] = None if value is None else value if key.endswith("_seconds") else value / 100
        return out


LOWER_IS_BETTER = ("escalation_rate", "abandonment_rate", "median_response_seconds", "median_resolution_seconds")


class ReportConfig(BaseModel):
    """The whole of kb-report.yml."""

    model_config = STRICT

    targets: Targets = Field(default_factory=Targets, description="Target of each KPI, shown beside it.")
    technicians: dict[str, str] = Field(default_factory=dict, description="Other spellings of a technician's "
                                        "name -> the name to show ('agarcia': 'ana garcia'); case and spaces "
                                        "are ignored on both sides.")
    min_step_runs: int = Field(MIN_RUNS, ge=1, le=100_000, description="Runs that must reach every step of a "
                               "chain of checks before the report suggests a new order.")

    def aliases(self) -> tuple[tuple[str, str], ...]:
        def key(name: str) -> str:
            return " ".join(name.split()).casefold()

        return tuple(sorted((key(a), key(b)) for a, b in self.technicians.items()))


def load_config(root: Path | None) -> ReportConfig:
    """``root/kb-report.yml`` or the defaults; a broken file raises ContentError (``path:line:col``)."""
    path = (root / CONFIG_FILE) if root else None
    if path is None or not path.is_file():
        return ReportConfig()
    located = load(decode(path.read_bytes(), CONFIG_FILE), CONFIG_FILE)
    if located.data is None:
        return ReportConfig()
    config, diags = build_model(ReportConfig, located, CONFIG_FILE)
    if not isinstance(config, ReportConfig) or diags:
        raise ContentError(diags)
    return config
