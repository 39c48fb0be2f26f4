"""`kb import`: bring a help centre's Markdown articles into our format (see docs/import.md)."""

from generator.importer.report import Finding, ImportResult, Outcome
from generator.importer.run import ImportOptions, ImportUsageError, import_folder, write_report

__all__ = ["Finding", "ImportOptions", "ImportResult", "ImportUsageError", "Outcome", "import_folder",
           "write_report"]
