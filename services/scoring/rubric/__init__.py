"""Rubrics as configuration, and the pure scoring of one submission under one rubric.

A rubric is one TOML file per version (``services/scoring/rubrics/fy2568-v1.toml``): sections of criteria,
each with its maximum points and a rule saying how points follow from the submission's data, or that a
committee enters them (``manual``); the tier thresholds and the size groups belong to the rubric too. Scoring
is deterministic and explains every criterion: the data it read, the points, and why, in Thai and English.

Where to start reading: ``scoring.score`` (one submission under one rubric), then ``rules.py`` (the rule
types, each one class that checks, scores and explains itself). The rest:

- ``format.py``: the file format around the rules (criteria, sections, tiers, size groups, ranking);
- ``fields.py``: the submission fields, counts and sums a rule may read;
- ``loading.py``: reading files and directories (``load_rubric``, ``RubricBook``), the only I/O scoring does
  here;
- ``wording.py`` and ``numbers.py``: the words and the figures explanations are written with;
- ``doc.py``: the rubric's document for officials (``python -m services.scoring.rubric.doc <version>``).
"""

from services.scoring.rubric.fields import SUBMISSION_FIELDS
from services.scoring.rubric.format import UNKNOWN_GROUP_NAME, UNKNOWN_SIZE_GROUP, Rubric
from services.scoring.rubric.loading import (
    RubricBook,
    RubricError,
    UnknownRubric,
    default_rubric_dir,
    load_rubric,
    load_rubric_book,
    parse_rubric,
)
from services.scoring.rubric.scoring import ScoreResult, ScoringError, score, size_group_of, tier_of

__all__ = [
    "SUBMISSION_FIELDS",
    "UNKNOWN_GROUP_NAME",
    "UNKNOWN_SIZE_GROUP",
    "Rubric",
    "RubricBook",
    "RubricError",
    "ScoreResult",
    "ScoringError",
    "UnknownRubric",
    "default_rubric_dir",
    "load_rubric",
    "load_rubric_book",
    "parse_rubric",
    "score",
    "size_group_of",
    "tier_of",
]
