"""``python -m ipec`` runs the command line."""

from ipec.cli.main import entry

entry()
