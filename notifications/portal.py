"""What the notifications app contributes through the registry: its bench rows (issue #14)."""

from unionportal.core import registry

from . import bench

registry.bench("notifications", bench.run)
