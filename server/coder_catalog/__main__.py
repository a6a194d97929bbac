import sys

from coder_catalog.cli import main

sys.exit(main())
