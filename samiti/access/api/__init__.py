"""The access API under /api/access/, one router per topic, scoped like the registry's."""

from ninja import Router

from samiti.access.api import applications, catalogue, results, screening

router = Router()
for topic in (catalogue, screening, applications, results):
    router.add_router("/", topic.router)
