"""API: dues."""

from ninja import Router

router = Router()
