"""API tokens: issuing and revoking them, and finding the user a key belongs to."""

import hashlib
import secrets

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samiti.core import audit
from samiti.core.models import AuditEvent
from samiti.registry.models import ApiToken, User
from samiti.registry.services._common import RegistryError


def _hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_api_token(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Create a token for `user`; the key is returned once and only its hash is kept."""
    key = "smt_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=key[:8], key_hash=_hash_token(key))
    audit.record(actor=user, action=AuditEvent.Action.CREATE, obj=token, changes={"name": [None, name]})
    return token, key


def revoke_api_token(*, user: User, token: ApiToken) -> None:
    if token.user_id != user.pk and not user.is_superuser:
        raise RegistryError(_("This token belongs to another account."), code="forbidden")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor=user, action=AuditEvent.Action.UPDATE, obj=token, changes={"revoked": [False, True]}
        )


def user_for_token(key: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user", "user__organisation", "user__area")
        .filter(key_hash=_hash_token(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
