"""Intake: the HTTP API upstream forms post to; stores every response and announces it."""
