from allauth.account import forms as allauth_forms
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.hashers import make_password

from .models import User


class UserAdminCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class UserAdminChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class SignupForm(allauth_forms.SignupForm):
    def try_save(self, request):
        if self.account_already_exists:
            # A new account costs a password hash; without one here, the time a sign-up takes
            # would tell whether the address already has an account.
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)
