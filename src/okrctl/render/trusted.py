"""Jinja for okrctl's own templates only. The sandbox and the budget (`template_budget`) guard
against templates from pull requests; the built-in reports and pages are ours, bounded by
construction, and a 2,000-team site spent most of its time in those guards (measured: 4 s of
7), so output drawn only from them renders in a plain environment, with the same escaping."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, Template

from okrctl.render.on_demand import FilledOnDemand


def escaped(value: Any) -> str:
    """What Jinja's autoescaping writes for `{{ value }}`: markupsafe's escaping (the same
    five characters, the same entities; an object's own `__html__` as it is), as plain text
    rather than a `Markup` object, which only the output it is joined into would have seen.
    A 2,000-team site writes 700,000 values, and making each a `Markup` was a tenth of it."""
    if type(value) is str:
        if "&" in value or "<" in value or ">" in value or "'" in value or '"' in value:
            return (
                value.replace("&", "&amp;")
                .replace(">", "&gt;")
                .replace("<", "&lt;")
                .replace("'", "&#39;")
                .replace('"', "&#34;")
            )
        return value
    html = getattr(value, "__html__", None)
    if html is not None:
        return str(html())
    return escaped(str(value))


class _TrustedTemplate(Template):
    """A built-in template: its output is escaped by `escaped`. The name its compiled code
    calls for each autoescaped output is rebound in that code's own namespace, nowhere else
    (a test holds every built-in page equal to the same page rendered in the sandbox)."""

    @classmethod
    def from_code(cls, environment: Any, code: Any, globals: Any, uptodate: Any = None) -> Any:
        template = super().from_code(environment, code, globals, uptodate)
        namespace = template.root_render_func.__globals__
        if "escape" in namespace:
            namespace["escape"] = escaped
        return template


class TrustedEnvironment(Environment):
    """The plain environment, with the `render(template, context)` the budgeted one has."""

    template_class = _TrustedTemplate

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
