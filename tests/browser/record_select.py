"""Choosing in a searchable record select (Tom Select) as a person does: type, then pick the option.

Tom Select hides the native ``<select>`` and moves its label to a combobox, so
Playwright's ``select_option`` on the label no longer reaches it.
"""

from __future__ import annotations


def combobox(page, label: str):
    """The searchable select labelled ``label`` (the Tom Select control that takes the focus)."""
    # Inside Tom Select's wrapper: until the script has run, the native <select> is a combobox of that name too.
    return page.locator(".ts-wrapper").get_by_role("combobox", name=label, exact=True)


def choose(page, label: str, option: str, *, typed: str | None = None) -> None:
    """Type ``typed`` (default: ``option``) into the select labelled ``label`` and pick ``option``."""
    search(page, label, typed if typed is not None else option)
    options(page, label).get_by_role("option", name=option, exact=True).click()


def options(page, label: str):
    """The open list of options of the select labelled ``label``."""
    return page.get_by_role("listbox", name=label, exact=True)


def search(page, label: str, text: str) -> None:
    """Focus the select labelled ``label`` and type ``text``, which opens the list of matching options."""
    # The control's text input sits off-screen while an option is chosen; it takes the focus all the same.
    combobox(page, label).focus()
    page.keyboard.type(text)
