"""A Coder deployment on loopback, for tests and demos: real HTTP, Coder's rules and bodies.

``SimulatorServer`` runs it in a background thread; ``serve_forever`` runs it in the
foreground (``coder-catalog simulator`` and ``python -m coder_catalog.simulator``). The seed
format is described in :mod:`coder_catalog.simulator.data`.
"""

from coder_catalog.simulator.data import DataError, load_data
from coder_catalog.simulator.server import SimulatorServer, serve_forever

__all__ = ["DataError", "SimulatorServer", "load_data", "serve_forever"]
