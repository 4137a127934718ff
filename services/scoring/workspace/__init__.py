"""The committee reviewers' web workspace, served by scoring under /workspace: a one-time sign-in link
exchanged for a session cookie, CSRF-checked forms, the assigned submissions with their answers, automatic
points and explanations, a form per committee criterion (draft or submit) and declarations of conflict of
interest; and DLA administrators' final-selection pages. Server-rendered HTML (Jinja2, autoescaped) and one
stylesheet; no JavaScript. Its collections are in services/scoring/repository/workspace.py, its use cases in
services/scoring/application/ (workspace.py, links.py, selection.py).

    sessions.py  sign-in links exchanged for sessions (reviewer or admin), CSRF tokens and the FastAPI dependencies
    pages.py     templates, formatting, security headers, refusals rendered as pages
    routes.py    the reviewers' routes
    admin_pages.py  DLA administrators' pages: the final selection (freeze, override, publish, unfreeze)
"""
