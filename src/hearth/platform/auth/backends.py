from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class EmailOrUsernameBackend(ModelBackend):
    """Sign in with either a username or an email address."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        User = get_user_model()
        user = User.objects.filter(email__iexact=username).first() if "@" in username else None
        if user is None:
            user = User.objects.filter(username__iexact=username).first()
        if user is None:
            User().set_password(password)  # same work either way: no user-enumeration timing
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
