"""Settings variants for benchmarks: the real settings minus one middleware.

``VEZA_BENCH_WITHOUT`` names middleware classes (comma-separated, class names) to drop, so a
benchmark can compare the same server with and without them.
"""

import os

from veza.settings import *  # noqa: F403
from veza.settings import MIDDLEWARE

_without = {name for name in os.environ.get("VEZA_BENCH_WITHOUT", "").split(",") if name}
MIDDLEWARE = [m for m in MIDDLEWARE if m.rsplit(".", 1)[-1] not in _without]
