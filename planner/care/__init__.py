"""Personal travel data on a need-to-know basis: the carers' pages, the travellers' own one-time
links, the read log, the deletion after the trip and the key rotation (models: planner/models/care.py,
encryption: planner/encryption.py)."""
