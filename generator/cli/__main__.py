"""`python -m generator.cli`: the `kb` command."""

from generator.cli import main

raise SystemExit(main())
