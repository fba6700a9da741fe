"""``python -m innocap_analysis``: the ``innocap`` command line."""

import sys

from .app.cli import main

sys.exit(main())
