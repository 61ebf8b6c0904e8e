"""Password sign-in for local accounts only.

A directory account (LDAP or OpenID Connect: `DirectoryAccount`) signs in through its
directory, where the county disables it and its groups decide its roles. A password kept
here (set before such an account was linked, or by a superuser in Django's admin) would
go around both, so this backend never accepts one for it.
"""

from django.contrib.auth.backends import ModelBackend

from .models import DirectoryAccount


class LocalAccountBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and DirectoryAccount.objects.filter(user_id=user.pk).exists():
            return None
        return user
