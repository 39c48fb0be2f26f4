"""The `kb` command. Thin: parses arguments, calls one function, maps errors to exit codes.

Exit codes: 0 success, 1 content errors (or warnings under --strict), 2 usage errors.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from generator.cli.common import EXIT_CONTENT, EXIT_USAGE, UsageError
from generator.cli.parser import parser
from generator.diagnostics import FORMATTERS, ContentError

__all__ = ["main", "parser"]


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code: int = args.func(args)
        return code
    except UsageError as exc:
        print(f"kb: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ContentError as exc:
        sys.stderr.write(FORMATTERS["text"](exc.diagnostics, exc.files))
        return EXIT_CONTENT
    except KeyboardInterrupt:
        return 130
