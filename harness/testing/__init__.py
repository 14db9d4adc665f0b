"""Support for driving the harness against loopback servers in tests and benchmarks (``tests/``,
``bench/``); shipped with the package because ``bench/`` cannot import ``tests/``, and nothing in the
harness itself imports it."""

from harness.testing.threaded_server import ServerThread

__all__ = ["ServerThread"]
