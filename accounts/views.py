"""Getting in (activation, sign-up, password reset by code) and the self-service pages."""

import json

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionportal.core.http import client_ip

from . import selectors, services
from .contacts import mask_target
from .forms import CodeForm, DeleteForm, ProfileForm, SignupForm, StyledPasswordChangeForm, TargetForm
from .models import OneTimeCode

BACKEND = "django.contrib.auth.backends.ModelBackend"

# The three ways in by code: the first page asks where to send it, the second takes it.
FLOWS = {
    OneTimeCode.Purpose.ACTIVATE: {
        "start": "accounts:activate",
        "confirm": "accounts:activate_confirm",
    },
    OneTimeCode.Purpose.SIGNUP: {
        "start": "accounts:signup",
        "confirm": "accounts:signup_confirm",
    },
    OneTimeCode.Purpose.RESET: {
        "start": "accounts:password_reset",
        "confirm": "accounts:password_reset_confirm",
    },
}


def _session_key(purpose: str) -> str:
    return f"accounts:target:{purpose}"


def _flow_title(purpose: str) -> str:
    return {
        OneTimeCode.Purpose.ACTIVATE: _("Activate your member account"),
        OneTimeCode.Purpose.SIGNUP: _("Sign up to vote"),
        OneTimeCode.Purpose.RESET: _("Reset your password"),
    }[purpose]


def _start(request: HttpRequest, purpose: str) -> HttpResponse:
    form = TargetForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["target"]
        try:
            if purpose == OneTimeCode.Purpose.RESET:
                services.reset_start(target=target, address=client_ip(request))
            else:
                services.code_send(purpose=purpose, target=target, address=client_ip(request))
        except ValidationError as exc:
            form.add_error(None, exc)
            status = 429 if getattr(exc, "code", None) == "throttled" else 200
        else:
            request.session[_session_key(purpose)] = target
            if purpose == OneTimeCode.Purpose.RESET:
                messages.info(
                    request,
                    _("If an account uses {target}, a code is on its way. It is valid for 10 minutes.").format(
                        target=mask_target(target)
                    ),
                )
            else:
                messages.info(
                    request,
                    _("A code is on its way to {target}. It is valid for 10 minutes.").format(
                        target=mask_target(target)
                    ),
                )
            return redirect(FLOWS[purpose]["confirm"])
    context = {"form": form, "purpose": purpose, "title": _flow_title(purpose)}
    return render(request, "accounts/code_start.html", context, status=status)


def _confirm(request: HttpRequest, purpose: str) -> HttpResponse:
    target = request.session.get(_session_key(purpose))
    if not target:
        return redirect(FLOWS[purpose]["start"])
    form_class = SignupForm if purpose == OneTimeCode.Purpose.SIGNUP else CodeForm
    form = form_class(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data, address = form.cleaned_data, client_ip(request)
        args = {"target": target, "code": data["code"], "password": data["password1"], "address": address}
        try:
            if purpose == OneTimeCode.Purpose.ACTIVATE:
                user, member = services.account_activate(**args)
            elif purpose == OneTimeCode.Purpose.SIGNUP:
                user, member = services.account_signup(**args, name=data.get("name", ""))
            else:
                services.password_reset(**args)
        except ValidationError as exc:
            status = 429 if getattr(exc, "code", None) == "throttled" else 200
            form.add_error("password1" if _is_password_error(exc) else None, exc)
        else:
            del request.session[_session_key(purpose)]
            if purpose == OneTimeCode.Purpose.RESET:
                messages.success(request, _("Your password is changed. Sign in with the new one."))
                return redirect("login")
            login(request, user, backend=BACKEND)
            if member is not None:
                messages.success(
                    request,
                    _("Welcome! You are a verified member of {union}.").format(union=member.union.name),
                )
            else:
                messages.success(request, _("Welcome! Your account is verified: you may vote in public votes."))
            return redirect("accounts:home")
    context = {
        "form": form,
        "purpose": purpose,
        "title": _flow_title(purpose),
        "target": mask_target(target),
        "start_url": FLOWS[purpose]["start"],
    }
    return render(request, "accounts/code_confirm.html", context, status=status)


def _is_password_error(exc: ValidationError) -> bool:
    """Whether every message comes from the password validators (shown under the password)."""
    codes = {e.code for e in exc.error_list}
    return bool(codes) and codes <= {
        "password_too_short",
        "password_too_common",
        "password_entirely_numeric",
        "password_too_similar",
    }


def activate(request: HttpRequest) -> HttpResponse:
    return _start(request, OneTimeCode.Purpose.ACTIVATE)


def activate_confirm(request: HttpRequest) -> HttpResponse:
    return _confirm(request, OneTimeCode.Purpose.ACTIVATE)


def signup(request: HttpRequest) -> HttpResponse:
    return _start(request, OneTimeCode.Purpose.SIGNUP)


def signup_confirm(request: HttpRequest) -> HttpResponse:
    return _confirm(request, OneTimeCode.Purpose.SIGNUP)


def password_reset(request: HttpRequest) -> HttpResponse:
    return _start(request, OneTimeCode.Purpose.RESET)


def password_reset_confirm(request: HttpRequest) -> HttpResponse:
    return _confirm(request, OneTimeCode.Purpose.RESET)


# --- Self-service -----------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Where a user without any role lands: their votes, their station reports, their union's news."""
    union, news = selectors.union_news(request.user)
    context = {
        "votes": selectors.own_votes(request.user),
        "feedback": selectors.own_feedback(request.user),
        "union": union,
        "news": news,
        "verified_public": selectors.is_verified_public(request.user),
    }
    return render(request, "accounts/home.html", context)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(request.POST or None, initial={"name": user.get_full_name(), "email": user.email})
    if request.method == "POST" and form.is_valid():
        services.profile_update(user=user, name=form.cleaned_data["name"], email=form.cleaned_data["email"], by=user)
        messages.success(request, _("Your profile is saved."))
        return redirect("accounts:home")
    return render(request, "accounts/profile.html", {"form": form})


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = StyledPasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:home")

    def form_valid(self, form):
        response = super().form_valid(form)
        # Other sessions end with the old password hash; keep this one on the list.
        services.sessions_end(user=self.request.user, keep=self.request.session.session_key)
        messages.success(self.request, _("Your password is changed."))
        return response


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/data.html", {"data": selectors.own_data(request.user)})


@login_required
def my_data_json(request: HttpRequest) -> HttpResponse:
    body = json.dumps(selectors.own_data(request.user), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


@login_required
def sessions(request: HttpRequest) -> HttpResponse:
    context = {"records": selectors.own_sessions(request.user), "current": request.session.session_key}
    return render(request, "accounts/sessions.html", context)


@login_required
@require_POST
def sessions_end(request: HttpRequest) -> HttpResponse:
    """Sign out of every other session; this one goes on under a new key."""
    old = request.session.session_key
    ended = services.sessions_end(user=request.user, keep=old)
    request.session.cycle_key()
    services.session_forget(session_key=old)
    services.session_record(
        user=request.user,
        session_key=request.session.session_key,
        address=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )
    messages.success(request, _("Signed out of {count} other sessions.").format(count=ended))
    return redirect("accounts:sessions")


@login_required
def delete(request: HttpRequest) -> HttpResponse:
    form = DeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_delete(user=request.user, by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            logout(request)
            messages.success(request, _("Your account is deleted."))
            return redirect("core:home")
    return render(request, "accounts/delete.html", {"form": form})
