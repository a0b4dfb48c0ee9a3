"""What the API contributes to the core (discovered at start-up): its bench rows."""

from unionportal.core import registry

from . import bench

registry.bench_pages(bench.pages)
registry.bench("api", bench.run)
