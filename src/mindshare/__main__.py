from mindshare.cli import main

main()
