from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from amg_portal import views
from amg_portal.organisation import oidc, saml
from amg_portal.organisation import views as organisation_views

admin.site.site_header = _("AMG-portal administration")
admin.site.site_title = "AMG-portal"
admin.site.index_title = _("Administration")

handler500 = "amg_portal.views.server_error"

account_patterns = [
    path("log-ind/", organisation_views.LoginView.as_view(), name="login"),
    path("log-ud/", auth_views.LogoutView.as_view(), name="logout"),
    path("oidc/log-ind/", oidc.OIDCLoginView.as_view(), name="oidc_login"),
    path("oidc/retur/", oidc.OIDCCallbackView.as_view(), name="oidc_callback"),
    path("profil/", organisation_views.profile, name="profile"),
    path("to-faktor/", organisation_views.second_factor, name="second_factor"),
    path(
        "to-faktor/slaa-fra/", organisation_views.second_factor_remove, name="second_factor_remove"
    ),
    path(
        "adgangskode/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "adgangskode/skiftet/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("nulstil/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("nulstil/sendt/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "nulstil/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "nulstil/faerdig/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    # First: the answer pages are the busiest, and Django tries the patterns in order.
    path("kortlaegning/", include("kortlaegning.urls")),
    path("", views.home, name="home"),
    # Answered by amg_portal.probes.ProbeMiddleware before the host check; listed for reverse().
    path("healthz/", views.healthz, name="healthz"),
    path("readyz/", views.readyz, name="readyz"),
    path("konto/", include(account_patterns)),
    path("sprog/", organisation_views.set_language, name="set_language"),
    path("persondata/<id:pk>/", organisation_views.personal_data, name="personal_data"),
    path(
        "persondata/<id:pk>/eksport.json",
        organisation_views.personal_data_export,
        name="personal_data_export",
    ),
    path("enheder/", include("amg_portal.organisation.urls")),
    path("sten-i-skoen/", include("sten_i_skoen.urls")),
    path("handlingsplan/", include("handlingsplan.urls")),
    path("overblik/", include("amg_portal.dashboard.urls")),
    path("admin/", admin.site.urls),
    # SAML 2.0: the metadata URL is the service provider's stable address (its entity id).
    path("saml2/login/", saml.LoginView.as_view(), name="saml2_login"),
    path("saml2/acs/", saml.AssertionConsumerServiceView.as_view(), name="saml2_acs"),
    path("saml2/metadata/", saml.MetadataView.as_view(), name="saml2_metadata"),
]
