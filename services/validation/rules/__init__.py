"""The validation rules of a submission (one catalogue, one small check each) and the verdict they add up to.

Start at `verdict.validate`: it reads the submission once (`case`), runs every check in the order of `CHECKS`
and adds their findings up. The checks are grouped by what they look at: `identity` (the LAO's type, name,
province, district, code and its match in DLA's registry), `timing` (the form's timestamp and the submission
period), `contact` (e-mail, phone, the plan's link) and `content` (required answers, dimensions, projects,
answers intake kept as written). Every finding they can make is in `catalogue`, with its Thai and English
messages.
"""

from services.validation.rules.catalogue import CATALOGUE, Rule, Severity
from services.validation.rules.verdict import OfficeAttachment, Outcome, Verdict, validate

__all__ = ["CATALOGUE", "OfficeAttachment", "Outcome", "Rule", "Severity", "Verdict", "validate"]
