"""API: assets."""

from ninja import Router

router = Router()
