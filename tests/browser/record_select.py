"""Choosing in a searchable record select (Tom Select) as a person does: type, then pick the option.

Tom Select hides the native ``<select>`` and moves its label to a combobox, so
Playwright's ``select_option`` on the label no longer reaches it. ``scope`` is
the page or a part of it (a row of a form with rows).
"""

from __future__ import annotations


def combobox(scope, label: str):
    """The searchable select labelled ``label`` (the Tom Select control that takes the focus)."""
    # Inside Tom Select's wrapper: until the script has run, the native <select> is a combobox of that name too.
    return scope.locator(".ts-wrapper").get_by_role("combobox", name=label, exact=True)


def options(scope, label: str):
    """The open list of options of the select labelled ``label``."""
    return scope.get_by_role("listbox", name=label, exact=True)


def search(scope, label: str, text: str) -> None:
    """Focus the select labelled ``label`` and type ``text``, which opens the list of matching options."""
    # The control's text input sits off-screen while an option is chosen; it takes the focus all the same.
    combobox(scope, label).focus()
    keyboard = scope.keyboard if hasattr(scope, "keyboard") else scope.page.keyboard
    keyboard.type(text)


def choose(scope, label: str, option: str, *, typed: str | None = None) -> None:
    """Type ``typed`` (default: ``option``) into the select labelled ``label`` and pick ``option``."""
    search(scope, label, typed if typed is not None else option)
    options(scope, label).get_by_role("option", name=option, exact=True).click()
