"""The rxstretch command line: option parsing and error reporting only; the work is in the API.

Each command lives in its own module; this one gathers them into the ``rxstretch`` group. The
modules are imported only when their command runs (or ``--help`` lists them), so that
``rxstretch --version`` starts as fast as Python itself.
"""

from __future__ import annotations

import atexit
import gc
import importlib

import click

from rxstretch import __version__

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

# Command name -> "module:attribute", in the order ``--help`` lists them.
COMMANDS = {
    "generate": "rxstretch.cli.generate:generate_command",
    "list": "rxstretch.cli.catalog:list_command",
    "show": "rxstretch.cli.catalog:show_command",
    "validate": "rxstretch.cli.catalog:validate_command",
    "locales": "rxstretch.cli.catalog:locales_command",
    "batch": "rxstretch.cli.batch:batch_command",
    "batch-merge": "rxstretch.cli.batch:merge_command",
    "init": "rxstretch.cli.init:init_command",
}


# Commands that work at length (many handouts, thousands of library files, forked workers):
# they run with Python's cycle collector on, as usual. The others make one thing and exit.
COLLECTING = frozenset({"batch", "batch-merge", "list", "validate"})


class LazyGroup(click.Group):
    """A group that imports a command's module the first time the command is needed."""

    def __init__(self, *args: object, lazy_commands: dict[str, str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lazy_commands = lazy_commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [
            *self.lazy_commands,
            *(name for name in super().list_commands(ctx) if name not in self.lazy_commands),
        ]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = self.lazy_commands.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        module_name, attribute = target.split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{target} is not a Click command")
        return command


@click.group(cls=LazyGroup, lazy_commands=COMMANDS, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "--version", prog_name="rxstretch")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Make printable home-exercise handouts for physiotherapy patients."""
    if ctx.invoked_subcommand in COLLECTING:
        gc.enable()


def main() -> None:
    """Run the command line (the ``rxstretch`` console script)."""
    # Making one handout leaves almost no reference cycles to free (a 10-exercise handout peaks
    # at the same 51 MB either way), yet the cycle collector walks every object the imports
    # create, again and again: about 5 % of a cold start. It stays off for commands that make
    # one thing and exit; COLLECTING turns it back on for those that run long.
    gc.disable()
    # At exit, the interpreter's final collection would walk every object still alive (about
    # 25 ms of a cold generate, whose collector was off) to free what the process ending frees
    # anyway. Exit handlers run before it, last registered first: freezing there skips the
    # walk, while the other handlers still run and files are closed as usual. Only at exit, so
    # that a program calling main() more than once keeps its garbage collectable meanwhile.
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
    cli(prog_name="rxstretch")
