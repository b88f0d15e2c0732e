"""Whole-database export (and, later, import): the backup format of the planner."""
