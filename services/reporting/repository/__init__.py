"""Every MongoDB access of reporting: its read models (`read_models.py`: the event log, the submission views,
the registry, the district, province and national figures, the final selection; written as `writes.py` says,
listed as `filters.py` says), the offices' attachments of unidentified responses (`attachments.py`) and the
readers' tokens (`tokens.py`)."""

from services.reporting.repository.attachments import Attachments
from services.reporting.repository.filters import SubmissionFilter
from services.reporting.repository.read_models import PROVINCE_LIST_LIMIT, ReadModels, Registries
from services.reporting.repository.tokens import TokenBook

__all__ = ["PROVINCE_LIST_LIMIT", "Attachments", "ReadModels", "Registries", "SubmissionFilter", "TokenBook"]
