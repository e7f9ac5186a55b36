"""The rxstretch command line: option parsing and error reporting only; the work is in the API.

Each command lives in its own module; this one gathers them into the ``rxstretch`` group.
"""

from __future__ import annotations

import click

from rxstretch import __version__
from rxstretch.cli.batch import batch_command
from rxstretch.cli.catalog import list_command, locales_command, show_command, validate_command
from rxstretch.cli.generate import generate_command
from rxstretch.cli.init import init_command

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "--version", prog_name="rxstretch")
def cli() -> None:
    """Make printable home-exercise handouts for physiotherapy patients."""


for command in (
    generate_command,
    list_command,
    show_command,
    validate_command,
    locales_command,
    batch_command,
    init_command,
):
    cli.add_command(command)


def main() -> None:
    """Run the command line (the ``rxstretch`` console script)."""
    cli(prog_name="rxstretch")
