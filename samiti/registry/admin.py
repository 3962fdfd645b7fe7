from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from samiti.registry.models import Area, Organisation, User


@admin.register(User)
class StaffAdmin(UserAdmin):
    fieldsets = [*UserAdmin.fieldsets, ("Samiti", {"fields": ["role", "organisation", "area", "language"]})]
    list_display = ["username", "role", "organisation", "area", "is_active"]
    list_filter = ["role", "is_active"]
    autocomplete_fields = ["organisation", "area"]


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_bn", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name_en", "name_bn"]
    readonly_fields = ["path"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    """Read-only here: organisations change through the pages, so every change is audited."""

    list_display = ["code", "name_en", "kind", "parent", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["code", "name_en", "name_bn"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
