from django.contrib import admin
from django.http import HttpRequest

from samiti.core import audit
from samiti.core.models import AuditEvent
from samiti.results.models import Target


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    """The four targets are fixed rows (a data migration creates them): change them, audited."""

    list_display = ["indicator", "value", "updated_at"]
    readonly_fields = ["indicator"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Target | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Target, form, change: bool) -> None:
        old = Target.objects.filter(pk=obj.pk).values_list("value", flat=True).first()
        super().save_model(request, obj, form, change)
        if old != obj.value:
            audit.record(
                actor=request.user,
                action=AuditEvent.Action.UPDATE,
                obj=obj,
                changes={"value": [str(old), str(obj.value)]},
            )
