"""Scoring service: scores validated submissions against a campaign's versioned rubric."""
