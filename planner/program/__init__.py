"""The programme of a delegation: appointments, journeys, conflict checks, timeline and trash."""
