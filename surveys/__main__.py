from surveys.cli import main

main()
