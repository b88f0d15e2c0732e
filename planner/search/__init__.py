"""Simple search over delegations, appointments, organizations and people.

One search box, case-insensitive partial words, results grouped by kind and
linked to their pages. ``queries`` does the reading, ``routes`` the page.
"""
