"""Reporting's HTTP API (v1) for dashboards and offices: one submission, a district, a province, the nation,
lists and rankings with filters and pagination, exports (CSV/XLSX), the document packages (PDF), the offices'
unidentified responses and DLA's final selection.

Every route answers within the reader's scope (services/reporting/tokens.py): a district token sees its
district, a province token its province and its districts, a national token everything; anything else is 403.
"""

from services.reporting.api.areas import router as areas
from services.reporting.api.exports import router as exports
from services.reporting.api.selection import router as selection
from services.reporting.api.submissions import router as submissions
from services.reporting.api.unidentified import router as unidentified

routers = [submissions, areas, exports, unidentified, selection]
