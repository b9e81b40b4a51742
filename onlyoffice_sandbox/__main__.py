from onlyoffice_sandbox.server import main

main()
