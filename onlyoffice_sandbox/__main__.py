import sys

from onlyoffice_sandbox.cli import main

sys.exit(main())
