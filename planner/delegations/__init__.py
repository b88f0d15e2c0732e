"""Delegations: the list of trips and (later) the pages of one trip."""
