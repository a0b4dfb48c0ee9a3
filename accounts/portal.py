"""What the accounts app plugs into the core."""

from unionportal.core import registry

from .models import OneTimeCode, Profile, SessionRecord

# Written only through accounts.services (codes, sign-up/activation, sessions, deletion).
registry.serviced(Profile, OneTimeCode, SessionRecord)
