"""Finance: the ledger, dues, savings-group cycles, and assets owned together.

One module per topic; each topic's tables are imported here so Django finds them.
"""

from samiti.finance.models.assets import *  # noqa: F403
from samiti.finance.models.dues import *  # noqa: F403
from samiti.finance.models.ledger import *  # noqa: F403
from samiti.finance.models.savings import *  # noqa: F403
