"""``python -m marmot.cli``: the ``marmot`` command."""

import sys

from marmot.cli import main

sys.exit(main())
