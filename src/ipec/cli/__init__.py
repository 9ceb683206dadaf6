"""The ``ipec`` command: thin shells that parse arguments, call the library, print results.

Rule: no domain logic here. Every command calls one library function and lets
:class:`ipec.errors.IpecError` reach :func:`ipec.cli.main.run`, which prints it as one line.
"""
