"""The desk page of one's own API tokens: create (the key shown once), list, revoke."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import services
from .models import ApiToken


@never_cache
@login_required
def token_page(request: HttpRequest) -> HttpResponse:
    key = None
    status = 200
    if request.method == "POST":
        try:
            _token, key = services.token_create(name=request.POST.get("name", ""), by=request.user)
        except ValidationError as e:
            messages.error(request, e.messages[0])
            status = 400
    tokens = ApiToken.objects.filter(user=request.user)[:50]
    return render(request, "api/tokens.html", {"tokens": tokens, "key": key}, status=status)


@require_POST
@login_required
def token_page_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, user=request.user, pk=pk)
    services.token_revoke(token=token, by=request.user)
    messages.success(request, _("Token revoked."))
    return redirect("api:token_page")
