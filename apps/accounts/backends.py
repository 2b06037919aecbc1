from django.contrib.auth.backends import ModelBackend

from apps.accounts.models import User
from veza.normalization import email_normalize


class EmailBackend(ModelBackend):
    """Log in with the email address, compared under ``veza.normalization.email_normalize``."""

    def authenticate(self, request, username=None, password=None, email=None, **kwargs):
        email = email or username or kwargs.get(User.USERNAME_FIELD)
        if not email or password is None:
            return None
        try:
            user = User.objects.get(email_normalized=email_normalize(email))
        except User.DoesNotExist:
            # Same cost as a real check, so timing does not reveal which emails exist.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
