"""API: books."""

from ninja import Router

router = Router()
