"""Notification's use cases (no HTTP in them): what each event becomes (`notices`: the submission notices and
the offices' reminders and digests; `publication`: the final selection's messages) and the one place a message
goes out, once (`delivery`: claim, send, record the outcome and its event)."""
