"""How the planner matches and builds URLs: record ids in paths, and absolute links.

Both are rules for every route, so they live here once instead of in each view:

* :class:`RecordIdConverter` replaces Werkzeug's ``int`` converter, so every
  ``<int:...>`` in a rule only matches an id a database key can hold.
* :class:`CompiledOnceRule` parses each rule and compiles its URL builder once per
  process, not once per app.
* :class:`BaseUrlLinks` builds absolute links (``url_for(..., _external=True)``:
  feed links, the ``SOURCE``/``URL`` of a calendar, QR codes) from the
  configured public address ``BASE_URL`` (``PLANNER_BASE_URL``) when there is
  one, instead of from the request's ``Host`` header, which any client can forge.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from flask import Flask, has_request_context, request
from werkzeug.routing import BaseConverter, IntegerConverter, Map, Rule
from werkzeug.routing.rules import RulePart

# Primary keys are INTEGER columns: PostgreSQL's integer is 32-bit signed, and an id beyond
# it made the query fail ("integer out of range") - a 500 instead of a 404. SQLite's
# integers are wider, but the same URL must mean the same on both backends.
MAX_RECORD_ID = 2**31 - 1


def digits_up_to(limit: int) -> str:
    """A regular expression matching the decimal numbers 1 .. ``limit`` written without leading zeros.

    For 2**31-1: ``[1-9]\\d{0,8}|1\\d{9}|20\\d{8}|21[0-3]\\d{7}|...|214748364[0-6]|2147483647``.
    """
    text = str(limit)
    alternatives = [rf"[1-9]\d{{0,{len(text) - 2}}}"] if len(text) > 1 else []
    # Numbers as long as the limit: the same first i digits, a smaller next one, anything after.
    for i, digit in enumerate(text):
        low = 1 if i == 0 else 0
        if int(digit) > low:
            top = int(digit) - 1
            rest = len(text) - i - 1
            choice = str(low) if top == low else f"[{low}-{top}]"
            alternatives.append(text[:i] + choice + (rf"\d{{{rest}}}" if rest else ""))
    alternatives.append(text)
    return "|".join(alternatives)


class RecordIdConverter(IntegerConverter):
    """``<int:...>`` limited to 1 .. 2**31-1: anything else does not match, so the answer is 404.

    The limit is in the regular expression, not only in ``to_python``: Werkzeug
    answers 405 rather than 404 when a path matched a rule for another method
    before a converter refused the value.
    """

    regex = f"(?:{digits_up_to(MAX_RECORD_ID)})"

    def __init__(
        self,
        map: Map,  # Werkzeug's parameter name
        fixed_digits: int = 0,
        min: int | None = 1,
        max: int | None = MAX_RECORD_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


# Builder functions by everything their generated code depends on (see CompiledOnceRule).
_BUILDERS: dict[tuple[object, ...], Callable[..., tuple[str, str]]] = {}
# A parsed rule by its text and the map's converter classes: its parts, what it added to the
# rule's trace, and the converters it asked for (variable, converter name, args, kwargs).
_ConverterCall = tuple[str, str, tuple[Any, ...], Mapping[str, Any]]
_PARSED: dict[tuple[object, ...], tuple[tuple[RulePart, ...], tuple[tuple[bool, str], ...], tuple[_ConverterCall, ...]]] = {}


class CompiledOnceRule(Rule):
    """A Werkzeug rule that reuses the URL builder an equal rule of an earlier app compiled.

    Werkzeug writes each rule's ``url_for`` builder as Python source (an AST) and compiles it,
    twice per rule: for the planner's ~150 rules about half of the CPU time of making an app.
    A process makes several apps: gunicorn's master makes one (``on_starting``) and each worker,
    forked from it, its own; the tests one per test. The builder's code depends only on the
    rule's text, its parsed parts (``_trace``) and whether unknown arguments are appended; it
    reaches the rule's converters through ``self`` when it runs, and is bound to each rule
    separately, so one compiled function serves every equal rule. A rule with defaults is
    compiled as usual: Werkzeug folds a default into the code through the rule's converter.
    """

    def _parse_rule(self, rule: str) -> Iterable[RulePart]:
        """Werkzeug's parse of ``rule``, taken from an equal rule of an earlier app where there was one.

        Parsing (a regular expression per path segment) is most of the rest of an app's rule
        cost. Its result depends only on the text and on the converter classes the map names:
        the parts (regular expressions and weights, read but never changed by the matcher),
        the entries it appends to the trace, and the converters it makes. Those are made
        again for each rule, through ``get_converter`` with the same arguments, so each
        rule still has converters of its own map.
        """
        key = (rule, tuple(self.map.converters.items()))
        parsed = _PARSED.get(key)
        if parsed is None:
            calls: list[_ConverterCall] = []
            trace_start = len(self._trace)
            make = self.get_converter

            def recorded(variable: str, name: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> BaseConverter:
                calls.append((variable, name, args, kwargs))
                return make(variable, name, args, kwargs)

            self.get_converter = recorded  # type: ignore[method-assign,assignment]
            try:
                parts = tuple(super()._parse_rule(rule))
            finally:
                del self.get_converter
            _PARSED[key] = (parts, tuple(self._trace[trace_start:]), tuple(calls))
            return parts
        parts, trace, made = parsed
        self._trace.extend(trace)
        for variable, name, args, kwargs in made:
            self._converters[variable] = self.get_converter(variable, name, args, kwargs)
            self.arguments.add(variable)
        return parts

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        if self.defaults:
            return super()._compile_builder(append_unknown)
        key = (self.rule, tuple(self._trace), append_unknown)
        builder = _BUILDERS.get(key)
        if builder is None:
            builder = _BUILDERS[key] = super()._compile_builder(append_unknown)
        return builder


class BaseUrlLinks(Flask):
    """Flask, with the record-id converter and absolute links built from ``BASE_URL``."""

    url_rule_class = CompiledOnceRule

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Before any blueprint adds its rules: a rule looks its converters up when it is added.
        self.url_map.converters["int"] = RecordIdConverter

    def url_for(
        self,
        endpoint: str,
        *,
        _anchor: str | None = None,
        _method: str | None = None,
        _scheme: str | None = None,
        _external: bool | None = None,
        **values: Any,
    ) -> str:
        """Flask's ``url_for``; an absolute URL starts with ``BASE_URL`` when that is configured."""
        base = self.config.get("BASE_URL")
        external = _external if _external is not None else (_scheme is not None or not has_request_context())
        if not base or not external:
            return super().url_for(endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme, _external=_external, **values)
        path = super().url_for(endpoint, _anchor=_anchor, _method=_method, _external=False, **values)
        # A relative URL starts with the request's script root (a mount point); the base URL
        # already names the public one.
        root = request.script_root if has_request_context() else ""
        if root and path.startswith(root):
            path = path[len(root) :]
        parts = urlsplit(str(base))
        if _scheme is not None:
            parts = parts._replace(scheme=_scheme)
        return urlunsplit(parts._replace(path=parts.path.rstrip("/"), query="", fragment="")) + path
