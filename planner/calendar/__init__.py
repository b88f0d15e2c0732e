"""Calendars: iCalendar export, subscription feeds and .ics import."""
