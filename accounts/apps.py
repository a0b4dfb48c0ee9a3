from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        user_logged_in.connect(_signed_in, dispatch_uid="accounts.session_record")
        user_logged_out.connect(_signed_out, dispatch_uid="accounts.session_forget")


# Sessions are recorded at sign-in so their owner can list them and sign out everywhere
# (the session store itself cannot be searched by user, neither in the database nor in Redis).
def _signed_in(sender, request, user, **kwargs) -> None:
    from unionportal.core.http import client_ip

    from .services import session_record

    session = getattr(request, "session", None)
    if request is None or session is None:
        return
    if session.session_key is None:
        session.save()
    session_record(
        user=user,
        session_key=session.session_key,
        address=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )


def _signed_out(sender, request, user, **kwargs) -> None:
    from .services import session_forget

    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        session_forget(session_key=session.session_key)
