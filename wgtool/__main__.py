from wgtool.cli import main

main()
