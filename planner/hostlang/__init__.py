"""The programme in the host's language: translated programme texts, their review, and the host programme sheet.

Planners and interpreters of a trip enter versions of the programme's texts
(appointment titles and places, the delegation list) in any language
(:mod:`planner.models.hostlang`); the host programme prints them with the
host's date formats and its own fixed words in that language
(:mod:`planner.hostlang.phrases`). Nothing missing is ever replaced by German.
"""
