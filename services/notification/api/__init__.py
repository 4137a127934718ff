"""Notification's operator API: the delivery log, the office directory, the schedule's slots and an area's
progress (routes.py)."""

from services.notification.api.routes import router

routers = [router]
