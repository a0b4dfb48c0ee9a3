"""Rate limits, kept in the default (shared) cache as DRF throttles do."""

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class AnonThrottle(AnonRateThrottle):
    scope = "anon"


class UserThrottle(UserRateThrottle):
    scope = "user"


class CheckinThrottle(AnonRateThrottle):
    scope = "checkin"
