"""The report tests use the service tests' real PostgreSQL server and built site."""

from tests.service.conftest import pg_server, site  # noqa: F401  (fixtures, re-exported)
