"""Reporting's use cases, with no HTTP in them: the view updates every consumed event makes
(`view_updates.py`), and what readers ask within their scope (`reports.py`, `documents.py`, `selection.py`,
`unidentified.py`). A refusal is a `shared.errors.Problem` (NotFound, Forbidden, Conflict, Invalid)."""

from services.reporting.application.documents import EXPORT_TABLES, Documents
from services.reporting.application.reports import Reports
from services.reporting.application.selection import FinalSelection
from services.reporting.application.unidentified import OfficeWork, Unidentified
from services.reporting.application.view_updates import RefreshBatch, ViewUpdates
from services.reporting.repository import PROVINCE_LIST_LIMIT

__all__ = ["EXPORT_TABLES", "PROVINCE_LIST_LIMIT", "Documents", "FinalSelection", "OfficeWork", "RefreshBatch",
           "Reports", "Unidentified", "ViewUpdates"]
