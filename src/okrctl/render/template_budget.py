"""A budget for rendering templates from pull requests: time, output size, memory, and the
size of what one operation may build.

Jinja's sandbox stops templates from reaching Python's internals, but not from burning CPU
(`{% for a in range(100000) %}{% for b in range(100000) %}`) or memory (`'a' * 10**10`,
`indent(10**9)`, `"%0*d"|format(10**9, 1)`). Here every operation that can build something
large checks its size before building it, every call and every piece of output checks the clock,
and, where the platform allows, a timer interrupts a loop that calls nothing and the address
space is capped while rendering. Exceeding any of them is a `BudgetExceeded`, which the renderer
reports with the template's file and line.
"""

from __future__ import annotations

import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from string import Formatter
from typing import Any

from jinja2.sandbox import SandboxedEnvironment


@dataclass(frozen=True, slots=True)
class Budget:
    seconds: float = 20.0
    output_chars: int = 64_000_000
    """A company digest of 5,000 teams is about 20 MB."""
    memory_bytes: int = 2 << 30
    """Address space a render may add to the process (Linux only)."""
    item_chars: int = 10_000_000
    """The largest string or list one operation (`*`, `%`, a filter) may build."""
    width: int = 10_000
    """The largest width, count or padding a filter or format argument may ask for."""


SIZED_FILTERS = frozenset(
    {"indent", "center", "truncate", "wordwrap", "batch", "slice", "urlize", "bar", "pct"}
)
"""Filters whose arguments after the value are widths, counts or lengths."""


class BudgetExceeded(Exception):
    """A template went over its budget; the message says which part."""

    line: int | None = None
    """Where the render stood, when it was stopped between two pieces of output."""


_SPEC_NUMBER = re.compile(r"[0-9]+")
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|[0-9]*)(?:\.(\*|[0-9]*))?[a-zA-Z%]")


class BudgetedEnvironment(SandboxedEnvironment):
    """The sandbox, with every way to build something huge intercepted."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self, budget: Budget, **options: Any) -> None:
        super().__init__(**options)
        self.budget = budget
        self.deadline = float("inf")
        self.output = 0
        self.expired = False

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            self._check_repeat(left, right)
            self._check_repeat(right, left)
        elif operator == "**" and isinstance(left, int) and isinstance(right, int):
            if right > 0 and max(abs(left), 2).bit_length() * right > 64 * self.budget.width:
                raise BudgetExceeded(f"{left} ** {right} is too large a number to compute")
        elif operator == "%" and isinstance(left, str):
            self.check_percent_format(left)
        return super().call_binop(context, operator, left, right)

    def _check_repeat(self, sequence: Any, times: Any) -> None:
        sized = isinstance(sequence, str | bytes | list | tuple) and isinstance(times, int)
        if sized and len(sequence) * times > self.budget.item_chars:
            raise BudgetExceeded(
                f"repeating {len(sequence):,} items {times:,} times is over the budget of "
                f"{self.budget.item_chars:,}"
            )

    def check_percent_format(self, text: str) -> None:
        for match in _PERCENT_SPEC.finditer(text):
            for number in match.groups():
                if number == "*":
                    raise BudgetExceeded("`*` widths are not allowed in a format string")
                self.check_width(int(number) if number else 0)

    def check_width(self, value: Any) -> None:
        limit = self.budget.width
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > limit:
            raise BudgetExceeded(f"{value:,} is over the largest width allowed ({limit:,})")

    def check_format_spec(self, text: str) -> None:
        """`"{:>999999999}".format(1)`: the widths and precisions inside `{}` fields."""
        try:
            fields = list(Formatter().parse(text))
        except ValueError:
            return  # str.format itself reports the malformed string
        for _, _, spec, _ in fields:
            if spec and "{" in spec:
                raise BudgetExceeded("nested fields in a format spec are not allowed in templates")
            for number in _SPEC_NUMBER.findall(spec or ""):
                self.check_width(int(number))

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        __self.tick()
        method = getattr(__obj, "__wrapped__", __obj)  # the sandbox wraps str.format
        owner = getattr(method, "__self__", None)
        if isinstance(owner, str) and getattr(method, "__name__", "") in ("format", "format_map"):
            __self.check_format_spec(owner)
        elif isinstance(owner, str | bytes | list):
            for value in (*args, *kwargs.values()):
                __self.check_width(value)  # "x".center(10**9), "x".zfill(10**9)
        return super().call(__context, __obj, *args, **kwargs)

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            self.expire()

    def expire(self) -> None:
        """Out of time: raised once. The timer is stopped first, so it cannot fire again while
        Jinja handles this exception (its second exception would carry no template line)."""
        if self.expired:
            return
        self.expired = True
        if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
            signal.setitimer(signal.ITIMER_REAL, 0)
        raise BudgetExceeded(f"rendering took over {self.budget.seconds:g} s")

    def bounded_filter(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        """A filter that checks the clock and the size of what it builds; for filters whose
        arguments are sizes (widths, counts, lengths), those are checked first, and `format`
        checks its format string."""
        passes_context = hasattr(function, "jinja_pass_arg")
        sized = name in SIZED_FILTERS

        def bounded(*args: Any, **kwargs: Any) -> Any:
            self.tick()
            value_at = 1 if passes_context else 0
            if name == "format" and len(args) > value_at and isinstance(args[value_at], str):
                self.check_percent_format(args[value_at])
            elif sized:
                for argument in (*args[value_at + 1 :], *kwargs.values()):
                    self.check_width(argument)
            result = function(*args, **kwargs)
            if isinstance(result, str | list) and len(result) > self.budget.item_chars:
                raise BudgetExceeded(f"the filter {name} built {len(result):,} items")
            return result

        if passes_context:
            bounded.jinja_pass_arg = function.jinja_pass_arg  # type: ignore[attr-defined]
        return bounded

    def render(self, template: Any, context: dict[str, Any]) -> str:  # type: ignore[override,unused-ignore]
        """The template's output, built within the budget."""
        self.deadline = time.monotonic() + self.budget.seconds
        self.output = 0
        self.expired = False
        chunks: list[str] = []
        output = template.generate(context)
        try:
            with _alarm(self.budget.seconds, self.expire), _memory_cap(self.budget.memory_bytes):
                for chunk in output:
                    self.output += len(chunk)
                    if self.output > self.budget.output_chars:
                        raise BudgetExceeded(
                            f"the output is over {self.budget.output_chars:,} characters"
                        )
                    self.tick()
                    chunks.append(chunk)
        except BudgetExceeded as exc:
            exc.line = _paused_line(template, output)  # used when no template frame raised it
            raise
        return "".join(chunks)


def _paused_line(template: Any, output: Any) -> int | None:
    """The template line a paused render stands at: its innermost generator's frame, mapped
    back through Jinja's debug info."""
    generator = output
    while getattr(generator, "gi_yieldfrom", None) is not None:
        generator = generator.gi_yieldfrom
    frame = getattr(generator, "gi_frame", None)
    if frame is None:
        return None
    line: int = template.get_corresponding_lineno(frame.f_lineno)
    return line


def bounded_range(environment: BudgetedEnvironment) -> Callable[..., Iterator[int]]:
    """`range` for templates: at most MAX_RANGE items (Jinja's sandbox limit), and the clock
    checked as it goes, so nested loops that print nothing still stop on time."""
    from jinja2.sandbox import safe_range

    def budget_range(*args: int) -> Iterator[int]:
        for index, value in enumerate(safe_range(*args)):
            if index % 1024 == 0:
                environment.tick()
            yield value

    return budget_range


@contextmanager
def _alarm(seconds: float, expire: Callable[[], None]) -> Iterator[None]:
    """Call `expire` after `seconds`, even inside a loop that calls nothing (POSIX, main thread
    only: elsewhere the clock checks in calls, ranges and output still apply)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def on_alarm(signum: int, frame: Any) -> None:
        expire()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def _memory_cap(extra: int) -> Iterator[None]:
    """Cap the address space at what the process has now plus `extra` while rendering, so a
    template that builds something huge fails with MemoryError instead of exhausting the
    machine (Linux; elsewhere the size checks above still apply)."""
    try:
        import resource

        with open("/proc/self/statm") as statm:
            in_use = int(statm.read().split()[0]) * resource.getpagesize()
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    except (ImportError, OSError, ValueError):
        yield
        return
    cap = in_use + extra
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    if soft != resource.RLIM_INFINITY and soft < cap:
        yield  # already capped tighter by whoever started us
        return
    try:
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ValueError, OSError):
        yield
        return
    try:
        yield
    finally:
        with suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
