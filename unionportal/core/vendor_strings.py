"""Strings of third-party apps that ship no Simplified Chinese, listed so that `makemessages`
keeps them in the root catalogue (locale/ outranks every app's own catalogue).

django-axes (the back office's sign-in lockout records) has no zh_Hans translation.
"""

from django.utils.translation import gettext_noop as _

AXES = [
    _("Access Attempt"),
    _("Access lock out"),
    _("Account locked: too many login attempts. Please try again later."),
    _("Attempt Remaining"),
    _("Attempt Time"),
    _("Clean up expired attempts"),
    _("Expires At"),
    _("Failed Logins"),
    _("Form Data"),
    _("GET Data"),
    _("HTTP Accept"),
    _("IP Address"),
    _("Locked Out"),
    _("Logout Time"),
    _("Meta Data"),
    _("Not set"),
    _("POST Data"),
    _("Path"),
    _("Session key hash (sha256)"),
    _("The time when access attempt expires and is no longer valid."),
    _("User Agent"),
    _("Username"),
    _("access attempt expiration"),
    _("access attempt expirations"),
    _("access attempt"),
    _("access attempts"),
    _("access failure"),
    _("access failures"),
    _("access log"),
    _("access logs"),
]
