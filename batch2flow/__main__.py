from batch2flow.cli import main

main()
