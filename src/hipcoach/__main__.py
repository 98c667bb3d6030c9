from hipcoach.cli.app import main

main()
