"""Validation service: checks each received submission against its campaign and publishes the verdict."""
