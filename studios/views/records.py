"""The desk's records of a studio: achievements (one by one, imported, exported), photos."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from unionportal.core.decorators import role_required
from unionportal.core.http import rate_limited
from unionportal.core.models import Role

from .. import services
from ..forms import AchievementForm, ImportForm, PhotosForm
from ..models import Achievement
from ..resources import AchievementResource
from .desk import editable_studio, visible_studio

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@role_required(Role.EDIT_ROLES)
def desk_achievement_add(request: HttpRequest, pk: int) -> HttpResponse:
    studio = editable_studio(request, pk)
    form = AchievementForm(request.POST or None, request.FILES or None, studio=studio)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        fields = {k: v for k, v in d.items() if k not in ("members", "attachment")}
        try:
            services.achievement_add(
                studio=studio, by=request.user, members=d["members"], attachment=d["attachment"], **fields
            )
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("Achievement added."))
            return redirect(studio.get_desk_url())
    elif request.method == "POST":
        messages.error(request, _("Please correct the errors below."))
    return render(
        request,
        "studios/desk_form.html",
        {"form": form, "studio": studio, "heading": _("Add an achievement to {name}").format(name=studio.name)},
    )


@role_required(Role.EDIT_ROLES)
def desk_photos_add(request: HttpRequest, pk: int) -> HttpResponse:
    studio = editable_studio(request, pk)
    form = PhotosForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        services.studio_add_photos(
            studio=studio, by=request.user, photos=form.cleaned_data["photos"], caption=form.cleaned_data["caption"]
        )
        messages.success(request, _("Photos added."))
        return redirect(studio.get_desk_url())
    if request.method == "POST":
        messages.error(request, _("Please correct the errors below."))
    return render(
        request,
        "studios/desk_photos.html",
        {"form": form, "studio": studio, "heading": _("Add photos to {name}").format(name=studio.name)},
    )


@role_required(Role.EDIT_ROLES)
def desk_import(request: HttpRequest, pk: int) -> HttpResponse:
    studio = editable_studio(request, pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    row_errors: list[tuple[int, str]] = []
    if request.method == "POST" and rate_limited(request, scope="studios-import", limit=30, window=3600):
        messages.error(request, _("Too many imports; try again later."))
    elif request.method == "POST" and form.is_valid():
        try:
            n = services.achievements_import(studio=studio, upload=form.cleaned_data["file"], by=request.user)
        except services.AchievementImportError as e:
            row_errors = e.row_errors
            messages.error(request, _("Nothing was imported: correct the rows below and upload again."))
        else:
            messages.success(request, _("{n} achievements imported.").format(n=n))
            return redirect(studio.get_desk_url())
    elif request.method == "POST":
        messages.error(request, _("Please correct the errors below."))
    return render(
        request,
        "studios/desk_import.html",
        {
            "form": form,
            "studio": studio,
            "row_errors": row_errors,
            "columns": services.IMPORT_COLUMNS,
            "types": Achievement.Type.choices,
            "levels": Achievement.Level.choices,
        },
    )


@role_required()
def desk_export(request: HttpRequest, pk: int) -> HttpResponse:
    studio = visible_studio(request, pk)
    qs = Achievement.objects.visible_to(request.user).filter(studio=studio).prefetch_related("members")
    data = AchievementResource().export(qs)
    response = HttpResponse(data.export("xlsx"), content_type=XLSX)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="achievements-{studio.slug}-{stamp}.xlsx"'
    return response
