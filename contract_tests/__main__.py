import sys

from contract_tests.command import main

sys.exit(main())
