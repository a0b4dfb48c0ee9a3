"""One write path: an admin of a serviced model saves, deletes and acts only through services.

Apps declare their serviced models with `registry.serviced(...)` in their portal.py. For each
such model registered in the admin, every write the admin allows a superuser (save, delete,
bulk delete, inline formsets, actions) must resolve to project code that calls a service;
Django's own `save_model` (a plain `obj.save()`) is exactly the second write path that let
the admin skip the rules.
"""

import inspect

import pytest
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from unionportal.core import registry

THIRD_PARTY = ("django.", "simple_history.", "import_export.", "treebeard.")
# Django's bulk delete goes through delete_queryset (checked below); exports only read.
READ_ONLY_ACTIONS = {"delete_selected", "export_admin_action"}


def _superuser_request():
    request = RequestFactory().get("/admin/")
    request.session = {}
    request.user = type("Root", (AnonymousUser,), {"is_superuser": True, "is_authenticated": True, "is_active": True})()
    return request


def _calls_a_service(func) -> bool:
    func = inspect.unwrap(func)
    module = getattr(func, "__module__", "") or ""
    if module.startswith(THIRD_PARTY):
        return False
    source = inspect.getsource(func)
    return "services." in source or "service(" in source


def _serviced_admins():
    return [(model, ma) for model, ma in admin.site._registry.items() if model in registry.SERVICED]


def test_apps_declare_serviced_models():
    assert registry.SERVICED, "no app declared its serviced models"
    assert _serviced_admins()


@pytest.mark.parametrize("model, model_admin", _serviced_admins(), ids=lambda v: getattr(v, "__name__", str(v)))
def test_admin_of_a_serviced_model_writes_through_services(model, model_admin):
    request = _superuser_request()
    problems = []
    may_add = model_admin.has_add_permission(request)
    may_change = model_admin.has_change_permission(request)
    may_delete = model_admin.has_delete_permission(request)
    if (may_add or may_change) and not _calls_a_service(type(model_admin).save_model):
        problems.append("save_model")
    if may_delete:
        for name in ("delete_model", "delete_queryset"):
            if not _calls_a_service(getattr(type(model_admin), name)):
                problems.append(name)
    for name, (func, _name, _desc) in model_admin.get_actions(request).items():
        if name not in READ_ONLY_ACTIONS and not _calls_a_service(func):
            problems.append(f"action {name}")
    for inline_class in model_admin.inlines:
        inline = inline_class(model, model_admin.admin_site)
        if inline.model not in registry.SERVICED:
            continue
        writes = inline.has_add_permission(request, None) or inline.has_change_permission(request, None)
        if writes and not (
            _calls_a_service(type(model_admin).save_formset) or _calls_a_service(type(model_admin).save_related)
        ):
            problems.append(f"inline {inline_class.__name__}")
    assert not problems, f"{model.__name__}: {problems} write without a service"
