# Benchmarks reuse the test fixtures (run with `make bench`; not part of `make test`).
from tests.conftest import *  # noqa: F403
