"""The voice API under /api/voice/, one router per topic, scoped like the registry's."""

from ninja import Router

from samiti.voice.api import charters, demands, elections, meetings, polls, scorecards

router = Router()
for topic in (demands, polls, elections, meetings, charters, scorecards):
    router.add_router("/", topic.router)
