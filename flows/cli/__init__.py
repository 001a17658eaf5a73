"""The ``warta`` command line: :mod:`flows.cli.main` dispatches, one module per subcommand."""

from flows.cli.main import main

__all__ = ["main"]
