"""`python -m okrctl`."""

from okrctl.cli import main

main()
