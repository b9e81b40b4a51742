from onlyoffice_sandbox.delivery.child import main

main()
