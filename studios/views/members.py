"""The people of a studio on the desk: the list, adding, editing and removing a member, the leader."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionportal.core.decorators import role_required
from unionportal.core.models import Role

from .. import selectors, services
from ..forms import LeaderForm, MemberForm
from ..models import Member, Studio
from .desk import editable_studio


def _member(studio: Studio, pk) -> Member:
    member = selectors.member_in_studio(studio=studio, pk=pk)
    if member is None:
        raise Http404
    return member


def _members_page(request: HttpRequest, studio: Studio, leader_form: LeaderForm | None = None) -> HttpResponse:
    members = list(studio.members.all())
    return render(
        request,
        "studios/desk_members.html",
        {
            "studio": studio,
            "members": members,
            "leader_form": leader_form or LeaderForm(studio=studio, members=members),
            "can_change_leader": any(not m.is_leader for m in members),
        },
    )


@role_required(Role.EDIT_ROLES)
def desk_members(request: HttpRequest, pk: int) -> HttpResponse:
    return _members_page(request, editable_studio(request, pk))


@role_required(Role.EDIT_ROLES)
def desk_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    studio = editable_studio(request, pk)
    form = MemberForm(request.POST or None, request.FILES or None, instance=Member(studio=studio))
    if request.method == "POST" and form.is_valid():
        try:
            services.member_add(
                studio=studio, by=request.user, photo=form.cleaned_data["photo_upload"], **form.service_fields()
            )
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("Member added."))
            return redirect("studios:desk_members", pk=studio.pk)
    elif request.method == "POST":
        messages.error(request, _("Please correct the errors below."))
    return render(
        request,
        "studios/desk_form.html",
        {"form": form, "studio": studio, "heading": _("Add a member to {name}").format(name=studio.name)},
    )


@role_required(Role.EDIT_ROLES)
def desk_member_edit(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    studio = editable_studio(request, pk)
    member = _member(studio, member_pk)
    # The form validates a copy: a refused change must not show as made on the page.
    form = MemberForm(
        request.POST or None,
        request.FILES or None,
        instance=Member.objects.get(pk=member.pk),
        submit_label=_("Save member"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(
                member=member, by=request.user, photo=form.cleaned_data["photo_upload"], **form.service_fields()
            )
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("Member saved."))
            return redirect("studios:desk_members", pk=studio.pk)
    elif request.method == "POST":
        messages.error(request, _("Please correct the errors below."))
    return render(
        request,
        "studios/desk_form.html",
        {"form": form, "studio": studio, "heading": _("Edit {name}").format(name=member.name)},
    )


@role_required(Role.EDIT_ROLES)
def desk_member_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    studio = editable_studio(request, pk)
    member = _member(studio, member_pk)
    if request.method == "POST":
        try:
            services.member_delete(member=member, by=request.user)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("{name} was removed from the studio.").format(name=member.name))
        return redirect("studios:desk_members", pk=studio.pk)
    return render(request, "studios/desk_member_remove.html", {"studio": studio, "member": member})


@require_POST
@role_required(Role.EDIT_ROLES)
def desk_leader(request: HttpRequest, pk: int) -> HttpResponse:
    studio = editable_studio(request, pk)
    form = LeaderForm(request.POST, studio=studio)
    if not form.is_valid():
        messages.error(request, _("Choose a member of this studio as its leader."))
        return _members_page(request, studio, form)
    try:
        leader = services.studio_change_leader(studio=studio, member=form.cleaned_data["member"], by=request.user)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return _members_page(request, studio, form)
    messages.success(request, _("{name} now leads the studio.").format(name=leader.name))
    return redirect("studios:desk_members", pk=studio.pk)
