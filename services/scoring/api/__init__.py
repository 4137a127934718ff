"""Scoring's HTTP API (JSON, in the OpenAPI description): the read API, the admin API, the reviewer API and the
final selection's admin API. The reviewers' web workspace (HTML) is services/scoring/workspace/.

    models.py     the request and response models
    deps.py       the typed parts setup keeps for the routes (`Parts`) and the parameters handing them over
    auth.py       who is asking: administrators and reviewers by their tokens
    scores.py     rubrics, scores, rankings and comparisons (/v1/...)
    admin.py      reviewers, assignments, the audit trail, sign-in links, re-scoring (/v1/admin/..., /v1/campaigns/...)
    reviewers.py  a reviewer's assignments and points (/v1/reviewer/...)
    selection.py  the final selection (/v1/admin/campaigns/{campaign}/selection...)
"""

from services.scoring.api import admin, reviewers, scores, selection

routers = [scores.router, admin.router, reviewers.router, selection.router]
