"""Collective voice: demands, polls and ballots, meetings' minutes, elections, charters, score cards.

One module per topic; each topic's tables are imported here so Django finds them.
"""

from samiti.voice.models.charters import *  # noqa: F403
from samiti.voice.models.demands import *  # noqa: F403
from samiti.voice.models.elections import *  # noqa: F403
from samiti.voice.models.meetings import *  # noqa: F403
from samiti.voice.models.polls import *  # noqa: F403
from samiti.voice.models.scorecards import *  # noqa: F403
