"""ipec: measure, act on and prove the elimination of child labour.

The library does the work; the ``ipec`` command and the web application are thin shells over it.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
