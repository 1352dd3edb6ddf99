"""When okrctl may fork worker processes (the site's pages, a cold load's composing): on Linux,
where forking is safe and cheap (macOS advises against fork, Windows has none), and only while
no other thread runs, since a child inherits whatever lock that thread held (the language
server's reader thread, a library caller's threads)."""

from __future__ import annotations

import os
import sys
import threading


def cores_to_fork() -> int:
    """The cores this process may use through forked workers; 1 where it must not fork."""
    if not sys.platform.startswith("linux") or threading.active_count() != 1:
        return 1
    return len(os.sched_getaffinity(0))
