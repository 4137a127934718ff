"""Intake's use cases, with no HTTP in them: accept one response — canonical JSON or a form connector's
answers through a mapping — (`acceptance.py`), import a Sheets export row by row (`imports.py`), and read back
what was received and the mappings intake knows (`queries.py`).

Every response a municipality sent is kept and answered; a use case refuses only a request that is no form
response at all, with a `shared.errors` Problem (its code and Thai and English messages), and the HTTP layer
(services/intake/api) answers it."""
