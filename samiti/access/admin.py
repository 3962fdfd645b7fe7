"""Back-office views of the catalogue: read-only, because every change goes through the pages'
services (the scheme's edit page and the rule editor), which audit it."""

from django.contrib import admin

from samiti.access.models import GrievanceCategory, RuleVersion, Scheme, Window


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class WindowInline(ReadOnly, admin.TabularInline):
    model = Window
    extra = 0
    fields = ["opens_on", "closes_on", "note"]


class RuleVersionInline(ReadOnly, admin.TabularInline):
    model = RuleVersion
    extra = 0
    fields = ["valid_from", "text", "note", "created_by"]


@admin.register(Scheme)
class SchemeAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["code", "name_en", "kind", "benefit", "value_per_year", "as_of", "is_active"]
    list_filter = ["kind", "benefit", "is_active"]
    search_fields = ["code", "name_en", "name_bn"]
    inlines = [RuleVersionInline, WindowInline]


@admin.register(GrievanceCategory)
class GrievanceCategoryAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["code", "name_en", "name_bn", "resolution_days"]
