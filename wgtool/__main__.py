from wgtool.launch import main

main()
