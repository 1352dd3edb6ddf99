"""Exceptions the library raises; the CLI maps each to an exit code (docs/commands.md, "Exit
codes")."""

from __future__ import annotations


class OkrctlError(Exception):
    """A failure the user can act on. `exit_code` is documented in docs/commands.md."""

    exit_code: int = 1


class ConfigError(OkrctlError):
    """No usable `okrctl.yaml`, or a bad one: a configuration error (exit 2)."""

    exit_code = 2


class UsageError(OkrctlError):
    """A bad argument on the command line, such as an unknown ref (exit 2)."""

    exit_code = 2
