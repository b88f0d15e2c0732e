"""Choosing in a searchable record select (Tom Select) as a person does: type, then pick the option.

Tom Select hides the native ``<select>`` and moves its label to a combobox, so
Playwright's ``select_option`` on the label no longer reaches it. ``scope`` is
the page or a part of it (a row of a form with rows).
"""

from __future__ import annotations

from playwright.sync_api import expect


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
    box = combobox(scope, label)
    box.focus()
    page = scope if hasattr(scope, "keyboard") else scope.page
    page.keyboard.type(text)
    # Tom Select filters the list a moment after the last key (refreshThrottle): an option
    # clicked before that is one of the unfiltered list, replaced under the pointer.
    select_id = (box.get_attribute("id") or "").removesuffix("-ts-control")
    page.wait_for_function(SEARCHED, arg=select_id)


SEARCHED = """(id) => {
  const control = document.getElementById(id).tomselect;
  return control && !control.refreshTimeout && control.lastValue === control.inputValue();
}"""


def choose(scope, label: str, option: str, *, typed: str | None = None) -> None:
    """Type ``typed`` (default: ``option``) into the select labelled ``label`` and pick ``option``."""
    search(scope, label, typed if typed is not None else option)
    options(scope, label).get_by_role("option", name=option, exact=True).click()
    # Chosen means shown as the select's value, and the list closed over nothing else.
    expect(combobox(scope, label).locator("xpath=..").locator(".item")).to_have_text(option)
    expect(options(scope, label)).to_be_hidden()
