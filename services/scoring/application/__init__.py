"""Scoring's use cases, called by its routes, its bus handlers, its workspace pages and its commands. No HTTP
here: a refusal is a `shared.errors` problem (NotFound, Conflict, Forbidden, Invalid) with its code and Thai and
English messages, answered with its status by the HTTP layer.

    campaigns.py  a campaign's active rubric version, and whether its results may still change
    scoring.py    scoring a revision: scoring's copy of it, and the one way a score is written
    rescoring.py  publishing a rubric version and re-scoring every submission under it
    results.py    the rubrics, scores, rankings and comparisons the read API shows
    reviewing.py  the committee: reviewers, assignments, reviewers' points, what a reviewer reads to judge
    workspace.py  what reviewers do in the web workspace: drafts, submitting points, declaring a conflict
    admins.py     DLA's administrators' accounts and their scopes
    selection.py  the final selection: freeze, override, publish, unfreeze
"""
