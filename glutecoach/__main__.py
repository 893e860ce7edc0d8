from glutecoach.cli.main import main

main()
