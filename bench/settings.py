"""The settings of the suite's processes: the site's own, production's when the environment says
so, with a URLconf that adds the floors (`bench.urls`). The site itself never uses them."""

import os

from emn_conference.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
# Where the "same bytes" floors are kept (under the static root, so WhiteNoise serves them too).
BENCH_FLOOR_DIR = os.environ.get("BENCH_FLOOR_DIR", "")
