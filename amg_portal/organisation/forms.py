from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from amg_portal.organisation import hr_files
from amg_portal.organisation.identity import password_login_allowed
from amg_portal.organisation.models import Unit, User


class LoginForm(AuthenticationForm):
    """Username and password; limited to the coordinator when PASSWORD_LOGIN_COORDINATORS_ONLY."""

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        if not password_login_allowed(user):
            raise forms.ValidationError(
                _("Log in through your organisation's login service instead."),
                code="password_login_off",
            )


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "language"]

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["name", "short_name", "headcount"]

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("The unit needs a name."))
        return name

    def clean_headcount(self) -> int:
        headcount = self.cleaned_data["headcount"]
        if headcount > 100_000:
            raise forms.ValidationError(_("A headcount above 100,000 cannot be right."))
        return headcount


class TokenForm(forms.Form):
    """A six-digit code from the authenticator app."""

    token = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_token(self) -> str:
        token = "".join(self.cleaned_data["token"].split())
        if not token.isdigit() or len(token) != 6:
            raise forms.ValidationError(_("Enter the six digits the app shows."))
        return token


class EraseConfirmForm(forms.Form):
    """Erasing a person needs their username typed again."""

    confirm = forms.CharField(label=_("Type the username to confirm"), max_length=150)

    def __init__(self, *args, username: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.username = username

    def clean_confirm(self) -> str:
        value = self.cleaned_data["confirm"].strip()
        if value != self.username:
            raise forms.ValidationError(_("That is not the username of this person."))
        return value


class OrganisationImportForm(forms.Form):
    """The two HR export files; the size cap is checked here, the content by the import."""

    units = forms.FileField(
        label=_("Units file"),
        help_text=_("CSV (UTF-8, comma or semicolon) or XLSX: unit_id, parent_id, name."),
    )
    people = forms.FileField(
        label=_("People file"),
        help_text=_(
            "CSV (UTF-8, comma or semicolon) or XLSX: person_id, email, full_name, unit_id."
        ),
    )

    def _clean_file(self, name: str):
        upload = self.cleaned_data[name]
        try:
            hr_files.check_size(upload.size)
        except hr_files.FileProblem as problem:
            raise forms.ValidationError(problem.message) from None
        return upload

    def clean_units(self):
        return self._clean_file("units")

    def clean_people(self):
        return self._clean_file("people")
