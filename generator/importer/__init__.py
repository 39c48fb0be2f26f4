"""`kb import`: bring a help centre's Markdown articles into our format (see docs/import.md)."""

from generator.importer.report import ImportResult, Outcome
from generator.importer.run import ImportOptions, ImportUsageError, import_folder, write_report

__all__ = ["ImportOptions", "ImportResult", "ImportUsageError", "Outcome", "import_folder",
           "write_report"]
