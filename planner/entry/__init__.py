"""Entry requirements: the rules an admin keeps per destination, nationality and passport type, and the entry check.

``stays.py`` works out where a traveller stays, country by country, in each
destination's local dates; ``check.py`` compares a passport and those stays
with the rules. Both are plain functions of plain data; ``queries.py`` and the
pages feed them from the database.
"""
