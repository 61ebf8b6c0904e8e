from django.contrib import admin

from .models import Department, OpeningHours


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 1


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "time_zone", "is_active", "position"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OpeningHoursInline]
