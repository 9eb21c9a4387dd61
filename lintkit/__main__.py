"""`python -m lintkit` runs the command-line interface."""

import sys

from lintkit.cli import main

sys.exit(main())
