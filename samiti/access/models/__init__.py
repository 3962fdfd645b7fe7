"""Access to services: the scheme catalogue with its rules, screening, applications, referrals.

One module per topic; each topic's tables are imported here so Django finds them.
"""

from samiti.access.models.applications import *  # noqa: F403
from samiti.access.models.catalogue import *  # noqa: F403
from samiti.access.models.screening import *  # noqa: F403
