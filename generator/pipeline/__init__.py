"""The pipeline stage: the one place that knows the order of the stages (read -> model -> validate ->
lint) and does their I/O: reading, forking, git history, lint configuration, file writes."""
