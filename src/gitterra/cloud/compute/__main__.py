"""``python -m gitterra.cloud.compute INSTANCE_DIR``: the instance runner (see ``_runner``)."""

import sys

from gitterra.cloud.compute import _runner

sys.exit(_runner.main(sys.argv[1:]))
