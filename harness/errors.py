"""Errors the CLI turns into one line and an exit code.

Exit codes are part of the interface (docs/design.md, "Errors and exit codes"): 0 ok, 1 a check failed
(audit flagged, canary won, contamination drop), 2 bad input or usage. Anything raised as a
``HarnessError`` is printed as a single line naming the file/field at fault; everything else is a bug
and keeps its traceback.
"""

from __future__ import annotations


class HarnessError(Exception):
    """Bad input or an environment problem the user can fix. Printed as one line, exit 2."""

    exit_code = 2


class BadInput(HarnessError):
    """A malformed file, an unknown name, a missing field. ``where`` is ``file:line`` or a field path."""

    def __init__(self, where: str, reason: str) -> None:
        self.where = where
        self.reason = reason
        super().__init__(f"{where}: {reason}")


class FatalAPIError(HarnessError):
    """The endpoint refused the request in a way retrying cannot fix (400/401/403/404)."""


class PreflightFailed(HarnessError):
    """The endpoint cannot serve this run (dead, not OpenAI-compatible, key rejected): exit 2
    (probed by ``harness.client._preflight`` before the first request)."""


class ServerError(HarnessError):
    """A local server could not be started or did not become healthy."""


class CheckFailed(HarnessError):
    """A check the user asked for failed (audit flagged, canary won, contamination drop): exit 1."""

    exit_code = 1
