"""Allow ``python -m rxstretch``."""

from rxstretch.cli import main

main()
