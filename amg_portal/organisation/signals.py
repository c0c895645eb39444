"""Login events into the audit log, the login time into the session, and stale role lists.

We otherwise keep side effects out of signals, but Django's auth signals are the one place every
login path (our login page, the admin's, a password reset) reports through, and a membership or
unit can change from the admin as well as from our services: either makes every cached role list
(``access.role_paths``) stale.
"""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from amg_portal.organisation import audit
from amg_portal.organisation.access import forget_roles
from amg_portal.organisation.middleware import session_started
from amg_portal.organisation.models import AuditEntry, Membership, Unit


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


@receiver(post_save, sender=Membership, dispatch_uid="amg_roles_membership_saved")
@receiver(post_delete, sender=Membership, dispatch_uid="amg_roles_membership_deleted")
@receiver(post_save, sender=Unit, dispatch_uid="amg_roles_unit_saved")
@receiver(post_delete, sender=Unit, dispatch_uid="amg_roles_unit_deleted")
def _roles_changed(sender, **kwargs):
    forget_roles()
