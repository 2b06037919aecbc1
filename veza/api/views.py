"""Base views, one per authentication style (import these instead of repeating attributes).

- ``PublicApiMixin``: no credentials are read at all (login, register, health, OAuth): a stale
  or foreign ``Authorization`` header can neither fail nor change the answer.
- ``OptionalAuthApiMixin``: anyone may call; a credential, when sent, is checked and used (a
  track list shows the caller's own private tracks, ``/stream`` honours the owner).
- Views that need a login keep DRF's defaults (``IsAuthenticated`` with JWT, session and API
  keys) and add their own permission classes.
"""

from rest_framework.permissions import AllowAny


class PublicApiMixin:
    authentication_classes: list = []
    permission_classes = [AllowAny]


class OptionalAuthApiMixin:
    permission_classes = [AllowAny]
