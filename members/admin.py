"""Back office of the roster: scoped like the desk, read-only for staff roles (the desk is where
officers work), writes of superusers through the services; phones masked in the list."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from unionportal.core.adminmixins import ScopedAdmin

from . import services
from .models import Member, Transfer


class MemberAdminForm(forms.ModelForm):
    """The services' checks (phone, email, card number, uniqueness) as form errors."""

    class Meta:
        model = Member
        fields = ["union", "name", "phone", "email", "card_number", "joined_on"]

    def clean(self):
        cleaned = super().clean()
        values = {k: cleaned.get(k) for k in services.MEMBER_FIELDS}
        try:
            clean = services._clean_fields(values)
            probe = Member(pk=self.instance.pk, union=cleaned.get("union"), **clean)
            if self.instance.pk is None or self.instance.is_active:
                services._check_unique(probe)
        except ValidationError as e:
            raise forms.ValidationError(e.messages) from None
        return cleaned


@admin.register(Member)
class MemberAdmin(ScopedAdmin):
    form = MemberAdminForm
    list_display = ["name", "masked_phone", "card_number", "union", "status", "joined_on"]
    list_filter = ["status"]
    search_fields = ["name", "card_number"]
    list_select_related = ["union"]
    raw_id_fields = ["union"]
    readonly_fields = ["status", "user", "verified_at", "invited_at", "created_at", "updated_at"]

    @admin.display(description=_("mobile phone"))
    def masked_phone(self, obj: Member) -> str:
        return obj.masked_phone

    def get_readonly_fields(self, request, obj=None):
        # The union changes only by a transfer (on the desk).
        return [*self.readonly_fields, "union"] if obj is not None else self.readonly_fields

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as e:
            self.message_user(request, " ".join(e.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        values = {k: form.cleaned_data.get(k) for k in services.MEMBER_FIELDS}
        if change:
            saved = services.member_update(member=obj, by=request.user, **values)
        else:
            saved = services.member_create(union=form.cleaned_data["union"], by=request.user, **values)
        obj.pk = saved.pk
        obj.__dict__.update({k: getattr(saved, k) for k in ("union_id", *services.MEMBER_FIELDS)})

    def delete_model(self, request, obj):
        services.member_delete(member=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for member in queryset.select_related("union"):
            services.member_delete(member=member, by=request.user)


@admin.register(Transfer)
class TransferAdmin(ScopedAdmin):
    """Transfers are released and decided on the desk; here they are only read."""

    list_display = ["member", "from_union", "to_union", "status", "created_at", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["member", "from_union", "to_union"]
    search_fields = ["member__name"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
