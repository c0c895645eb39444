"""Login events into the audit log, and the login time into the session.

We otherwise keep side effects out of signals, but Django's auth signals are the one place every
login path (our login page, the admin's, a password reset) reports through.
"""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from amg_portal.organisation import audit
from amg_portal.organisation.middleware import session_started
from amg_portal.organisation.models import AuditEntry


@receiver(user_logged_in, dispatch_uid="amg_audit_login")
def _logged_in(sender, request, user, **kwargs):
    audit.record(kind=AuditEntry.Kind.LOGIN, actor=user, request=request)
    if request is not None and hasattr(request, "session"):
        session_started(request)  # the absolute session lifetime counts from here


@receiver(user_logged_out, dispatch_uid="amg_audit_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record(kind=AuditEntry.Kind.LOGOUT, actor=user, request=request)


@receiver(user_login_failed, dispatch_uid="amg_audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    audit.record(
        kind=AuditEntry.Kind.LOGIN_FAILED,
        actor_name=str(credentials.get("username", "")),
        request=request,
    )
