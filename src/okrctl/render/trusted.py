"""Jinja for okrctl's own templates only. The sandbox and the budget (`template_budget`) guard
against templates from pull requests; the built-in reports and pages are ours, bounded by
construction, and a 2,000-team site spent most of its time in those guards (measured: 4 s of
7), so output drawn only from them renders in a plain environment, with the same escaping."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment

from okrctl.render.on_demand import FilledOnDemand


class TrustedEnvironment(Environment):
    """The plain environment, with the `render(template, context)` the budgeted one has."""

    def render(self, template: Any, context: dict[str, Any]) -> str:
        return str(template.render(context))

    def getattr(self, obj: Any, attribute: str) -> Any:
        """`unit.name` on the context's dicts is their key, looked up first: Jinja's way (the
        attribute first, then the key) raises and catches an AttributeError each time, a
        million times for a 2,000-team site. A dict's methods are still reached when no key
        has their name; the built-in pages use no key named after one."""
        if type(obj) is dict or type(obj) is FilledOnDemand:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)
