"""API: savings."""

from ninja import Router

router = Router()
