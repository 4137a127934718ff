"""Notification: e-mails the applicant's contact at each step of a submission, once per event."""
