"""Reporting: read models per submission, province and nation, built from every event, served over HTTP."""
