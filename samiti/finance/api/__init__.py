"""The finance API under /api/finance/, scoped like the registry: one router per topic."""

from ninja import Router

from samiti.finance.api import assets, books, dues, savings

router = Router()
router.add_router("/", books.router)
router.add_router("/", savings.router)
router.add_router("/", dues.router)
router.add_router("/", assets.router)
