"""``python -m caresurvey``: the same command line as the ``caresurvey`` script."""

import sys

from caresurvey.cli import main

sys.exit(main())
