"""Writes of the account domain: sign-up, verification, sign-in records, passwords, profile, deletion."""

import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.dispatch import Signal
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from apps.core import crypto
from apps.core.errors import Conflict, InvalidInput, PermissionDenied
from apps.core.images import clean_image
from apps.core.models import AuditLog
from apps.core.services import log_action
from apps.core.sms import send_sms
from apps.users import rls
from apps.users.models import User
from apps.users.phone import normalize_phone_number

# Sent inside the deletion transaction: apps above `users` forget what they hold of the account (saved cards), or
# refuse the deletion by raising a domain error (upcoming bookings), which rolls it all back.
account_deleted = Signal()

EMAIL_VERIFICATION_SALT = "users.email-verification"
PROFILE_FIELDS = (
    "first_name",
    "last_name",
    "user_type",
    "bio",
    "date_of_birth",
    "default_address",
    "preferred_notification_method",
)


def _validate_password(password: str, *, user: User, attr: str) -> None:
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), code="weak_password", attr=attr) from error


# --- Sign-up and email verification -------------------------------------------------------------------------------


def register_user(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    user_type: str,
    phone_number: str = "",
) -> User:
    """Create an account and send the email-verification message. One account per mailbox, whatever the case."""
    email = User.objects.normalize_email(email).strip()
    if User.objects.filter(email__iexact=email).exists():
        raise InvalidInput("An account with this email already exists.", code="email_taken", attr="email")
    if user_type not in User.UserType.values:
        raise InvalidInput("Choose SEEKER, HOST or BOTH.", code="invalid_choice", attr="user_type")
    user = User(
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        user_type=user_type,
        phone_number=normalize_phone_number(phone_number),
    )
    _validate_password(password, user=user, attr="password")
    user.set_password(password)
    with transaction.atomic():
        user.save()
        log_action(actor=user, action=AuditLog.Action.CREATE, target=user, description="Account registered")
        transaction.on_commit(lambda: send_email_verification(user=user))
    return user


def make_email_verification_token(user: User) -> str:
    return signing.dumps({"user": user.pk, "email": user.email.lower()}, salt=EMAIL_VERIFICATION_SALT, compress=True)


def send_email_verification(*, user: User) -> None:
    token = make_email_verification_token(user)
    context = {"user": user, "token": token, "link": f"{settings.SITE_URL}/accounts/verify-email/{token}/"}
    send_mail(
        subject="Confirm your email address",
        message=render_to_string("users/email/verify_email.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )


def verify_email(*, token: str) -> User:
    """Mark the address in `token` as verified. Tokens expire and work once; a changed address voids them."""
    try:
        payload = signing.loads(
            token, salt=EMAIL_VERIFICATION_SALT, max_age=settings.EMAIL_VERIFICATION_MAX_AGE_SECONDS
        )
    except signing.SignatureExpired as error:
        raise InvalidInput("This verification link has expired.", code="token_expired", attr="token") from error
    except signing.BadSignature as error:
        raise InvalidInput("This verification link is not valid.", code="token_invalid", attr="token") from error
    with transaction.atomic(), rls.acting_for(payload["user"]):
        user = User.objects.select_for_update().filter(pk=payload["user"], is_deleted=False).first()
        if user is None or user.email.lower() != payload["email"]:
            raise InvalidInput("This verification link is not valid.", code="token_invalid", attr="token")
        if user.is_email_verified:
            raise InvalidInput("This verification link has already been used.", code="token_used", attr="token")
        user.is_email_verified = True
        user.save(update_fields=["is_email_verified", "updated_at"])
        log_action(actor=user, action=AuditLog.Action.UPDATE, target=user, description="Email verified")
    return user


# --- Signing in and out -------------------------------------------------------------------------------------------


def record_login(*, user: User, ip_address: str | None) -> User:
    """Remember when and from where the user signed in, and audit it."""
    with transaction.atomic(), rls.acting_for(user.pk):
        user.last_login = timezone.now()
        user.last_login_ip = ip_address or None
        User.objects.filter(pk=user.pk).update(last_login=user.last_login, last_login_ip=user.last_login_ip)
        log_action(actor=user, action=AuditLog.Action.LOGIN, target=user, description="Signed in")
    return user


def record_logout(*, user: User) -> None:
    with transaction.atomic():
        log_action(actor=user, action=AuditLog.Action.LOGOUT, target=user, description="Signed out")


# --- Passwords ----------------------------------------------------------------------------------------------------


def make_password_reset_token(user: User) -> str:
    return f"{urlsafe_base64_encode(force_bytes(user.pk))}.{default_token_generator.make_token(user)}"


def request_password_reset(*, email: str) -> None:
    """Email a reset link if an active account has this address. The caller never learns whether one does."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=True, is_deleted=False).first()
    if user is None:
        return
    token = make_password_reset_token(user)
    context = {"user": user, "token": token, "link": f"{settings.SITE_URL}/accounts/reset/{token.replace('.', '/')}/"}
    send_mail(
        subject="Reset your password",
        message=render_to_string("users/email/password_reset.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )


def reset_password(*, token: str, new_password: str) -> User:
    """Set a new password with an emailed token. The token is void once used (it hashes the old password)."""
    uid, _, secret = token.partition(".")
    try:
        user_id = int(force_str(urlsafe_base64_decode(uid)))
    except (ValueError, TypeError, UnicodeDecodeError) as error:
        raise InvalidInput("This reset link is not valid.", code="token_invalid", attr="token") from error
    user = User.objects.filter(pk=user_id, is_active=True, is_deleted=False).first()
    if user is None or not default_token_generator.check_token(user, secret):
        raise InvalidInput("This reset link is not valid or has expired.", code="token_invalid", attr="token")
    _validate_password(new_password, user=user, attr="new_password")
    with transaction.atomic(), rls.acting_for(user.pk):
        user.set_password(new_password)
        user.save(update_fields=["password", "updated_at"])
        log_action(actor=user, action=AuditLog.Action.UPDATE, target=user, description="Password reset by email")
    return user


def change_password(*, user: User, old_password: str, new_password: str) -> User:
    if not user.check_password(old_password):
        raise InvalidInput("Your current password is not correct.", code="wrong_password", attr="old_password")
    _validate_password(new_password, user=user, attr="new_password")
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password", "updated_at"])
        log_action(actor=user, action=AuditLog.Action.UPDATE, target=user, description="Password changed")
    return user


# --- Phone verification -------------------------------------------------------------------------------------------


def _phone_code_key(user: User) -> str:
    return f"users:phone-code:{user.pk}"


def _hash_code(user: User, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{user.pk}:{code}".encode(), hashlib.sha256).hexdigest()


def start_phone_verification(*, user: User, phone_number: str = "") -> str:
    """Text a six-digit code to `phone_number` (or the number on file). Returns the number it was sent to."""
    number = normalize_phone_number(phone_number) if phone_number else user.phone_number
    if not number:
        raise InvalidInput("Add a phone number first.", code="required", attr="phone_number")
    code = f"{secrets.randbelow(1_000_000):06d}"
    cache.set(
        _phone_code_key(user),
        {"hash": _hash_code(user, code), "phone_number": number, "attempts": 0},
        timeout=settings.PHONE_CODE_MAX_AGE_SECONDS,
    )
    minutes = settings.PHONE_CODE_MAX_AGE_SECONDS // 60
    send_sms(to=number, body=f"Your Parking in a Pinch code is {code}. It expires in {minutes} minutes.")
    return number


def confirm_phone_verification(*, user: User, code: str) -> User:
    pending = cache.get(_phone_code_key(user))
    if pending is None:
        raise InvalidInput("The code has expired. Ask for a new one.", code="code_expired", attr="code")
    if pending["attempts"] >= settings.PHONE_CODE_MAX_ATTEMPTS:
        cache.delete(_phone_code_key(user))
        raise InvalidInput("Too many wrong codes. Ask for a new one.", code="code_expired", attr="code")
    if not hmac.compare_digest(pending["hash"], _hash_code(user, code.strip())):
        pending["attempts"] += 1
        cache.set(_phone_code_key(user), pending, timeout=settings.PHONE_CODE_MAX_AGE_SECONDS)
        raise InvalidInput("That code is not correct.", code="code_invalid", attr="code")
    with transaction.atomic():
        user.phone_number = pending["phone_number"]
        user.is_phone_verified = True
        user.save(update_fields=["phone_number", "is_phone_verified", "updated_at"])
        log_action(actor=user, action=AuditLog.Action.UPDATE, target=user, description="Phone number verified")
    cache.delete(_phone_code_key(user))
    return user


# --- Profile ------------------------------------------------------------------------------------------------------


def masked_driver_license(user: User) -> str:
    """What the owner sees of their licence number: the last four characters."""
    number = crypto.decrypt(user.driver_license_number)
    return f"{'•' * max(len(number) - 4, 0)}{number[-4:]}" if number else ""


def update_profile(*, user: User, actor: User, **changes: Any) -> User:
    """Change the profile fields in `changes`. A new phone number must be verified again; a licence number is
    stored encrypted and never written to the audit log."""
    if actor.pk != user.pk and not actor.is_staff:
        raise PermissionDenied("You can only change your own profile.")
    old_values: dict[str, Any] = {}
    new_values: dict[str, Any] = {}
    for field in PROFILE_FIELDS:
        if field in changes and changes[field] != getattr(user, field):
            old_values[field], new_values[field] = str(getattr(user, field)), str(changes[field])
            setattr(user, field, changes[field])
    if user.user_type not in User.UserType.values:
        raise InvalidInput("Choose SEEKER, HOST or BOTH.", code="invalid_choice", attr="user_type")
    if "phone_number" in changes:
        number = normalize_phone_number(changes["phone_number"])
        if number != user.phone_number:
            user.phone_number, user.is_phone_verified = number, False
            new_values["phone_number"] = "changed"
    if "driver_license_state" in changes:
        state = (changes["driver_license_state"] or "").strip().upper()
        if state and (len(state) != 2 or not state.isalpha()):
            raise InvalidInput("Use the two-letter state code.", code="invalid", attr="driver_license_state")
        user.driver_license_state = state
        new_values["driver_license_state"] = state
    if "driver_license_number" in changes:
        number = (changes["driver_license_number"] or "").strip().upper()
        if number and not (4 <= len(number) <= 20 and number.replace("-", "").isalnum()):
            raise InvalidInput(
                "Enter the licence number as printed (4 to 20 letters and digits).",
                code="invalid",
                attr="driver_license_number",
            )
        user.driver_license_number = crypto.encrypt(number)
        new_values["driver_license_number"] = "changed"  # the value itself never leaves the users table
    with transaction.atomic():
        user.save()
        if new_values:
            log_action(
                actor=actor,
                action=AuditLog.Action.UPDATE,
                target=user,
                description="Profile updated",
                old_values=old_values,
                new_values=new_values,
            )
    return user


def set_profile_picture(*, user: User, upload: UploadedFile | None) -> User:
    """Replace (or, with None, remove) the profile picture; the image is checked and its metadata stripped."""
    with transaction.atomic():
        old_picture = user.profile_picture.name if user.profile_picture else ""
        if upload is None:
            user.profile_picture = None
        else:
            image = clean_image(upload, max_bytes=settings.PROFILE_PICTURE_MAX_BYTES, attr="profile_picture")
            user.profile_picture.save(image.name, image, save=False)
        user.save(update_fields=["profile_picture", "updated_at"])
        log_action(actor=user, action=AuditLog.Action.UPDATE, target=user, description="Profile picture changed")
        if old_picture:
            storage = user.profile_picture.storage
            transaction.on_commit(lambda: storage.delete(old_picture))
    return user


def delete_account(*, user: User) -> User:
    """Soft-delete the account: sign-in becomes impossible and personal data is anonymised, while bookings,
    payments and the audit log keep referring to the (now anonymous) row."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_deleted:
            return user
        original_email = user.email
        picture = user.profile_picture.name if user.profile_picture else ""
        user.is_deleted = True
        user.deleted_at = timezone.now()
        user.is_active = False
        user.email = f"deleted-user-{user.pk}@deleted.invalid"
        user.first_name = "Deleted"
        user.last_name = "user"
        user.phone_number = ""
        user.bio = ""
        user.date_of_birth = None
        user.driver_license_number = ""
        user.driver_license_state = ""
        user.default_location = None
        user.default_address = ""
        user.profile_picture = None
        user.is_phone_verified = False
        user.set_unusable_password()
        user.save()
        log_action(actor=user, action=AuditLog.Action.DELETE, target=user, description="Account deleted")
        account_deleted.send(sender=User, user=user, original_email=original_email)
        if picture:
            storage = user.profile_picture.storage
            transaction.on_commit(lambda: storage.delete(picture))
    return user


def rotate_encryption_key() -> int:
    """Re-encrypt every stored licence number under the newest key. Returns how many were rewritten."""
    rewritten = 0
    with transaction.atomic():
        for user in User.objects.select_for_update().exclude(driver_license_number="").only("driver_license_number"):
            user.driver_license_number = crypto.rotate(user.driver_license_number)
            user.save(update_fields=["driver_license_number"])
            rewritten += 1
    return rewritten


# --- Staff: account administration and moderation -----------------------------------------------------------------

# What staff may change on someone's account from the admin. Email and phone number are changed by their owner and
# verified; who may sign in is changed only by suspending or reactivating.
STAFF_EDITABLE_FIELDS = (
    "first_name",
    "last_name",
    "user_type",
    "bio",
    "date_of_birth",
    "default_address",
    "default_location",
    "preferred_notification_method",
    "is_identity_verified",
    "is_staff",
    "is_superuser",
    "groups",
    "user_permissions",
)
# Rights: a staff member must not be able to raise their own (or anybody's) rights without being a superuser.
RIGHTS_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")
MANY_TO_MANY_FIELDS = ("groups", "user_permissions")


def _ensure_staff(actor: Any) -> None:
    if not getattr(actor, "is_staff", False):
        raise PermissionDenied("Only staff can do this.")


def create_account(*, user: User, actor: User) -> User:
    """Save an account that staff filled in (for a colleague, or a host onboarded by phone). The caller has already
    set its password or made it unusable; one account per mailbox, whatever the case; only a superuser gives rights."""
    _ensure_staff(actor)
    user.email = User.objects.normalize_email(user.email).strip()
    if User.objects.filter(email__iexact=user.email).exists():
        raise InvalidInput("An account with this email already exists.", code="email_taken", attr="email")
    if (user.is_staff or user.is_superuser) and not actor.is_superuser:
        raise PermissionDenied("Only a superuser can give staff rights.")
    with transaction.atomic():
        user.save()
        log_action(
            actor=actor,
            action=AuditLog.Action.CREATE,
            target=user,
            description="Account created by staff",
            new_values={"email": user.email, "user_type": user.user_type, "is_staff": user.is_staff},
        )
    return user


def update_account(*, user: User, actor: User, **changes: Any) -> User:
    """Staff change someone's profile, identity check or rights; audited with the old and new values.

    Only `STAFF_EDITABLE_FIELDS` may change here, and rights only by a superuser.
    """
    _ensure_staff(actor)
    unknown = sorted(set(changes) - set(STAFF_EDITABLE_FIELDS))
    if unknown:
        raise InvalidInput(f"These fields cannot be changed here: {', '.join(unknown)}.", attr=unknown[0])
    if any(field in changes for field in RIGHTS_FIELDS) and not actor.is_superuser:
        raise PermissionDenied("Only a superuser can change staff rights and permissions.")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        old_values: dict[str, Any] = {}
        new_values: dict[str, Any] = {}
        for field, value in changes.items():
            if field in MANY_TO_MANY_FIELDS:
                current = list(getattr(user, field).all())
                if {item.pk for item in current} != {item.pk for item in value}:
                    old_values[field] = sorted(str(item) for item in current)
                    new_values[field] = sorted(str(item) for item in value)
                    getattr(user, field).set(value)
            elif getattr(user, field) != value:
                old_values[field], new_values[field] = str(getattr(user, field)), str(value)
                setattr(user, field, value)
        if user.user_type not in User.UserType.values:
            raise InvalidInput("Choose SEEKER, HOST or BOTH.", code="invalid_choice", attr="user_type")
        concrete = [field for field in new_values if field not in MANY_TO_MANY_FIELDS]
        if concrete:
            user.save(update_fields=[*concrete, "updated_at"])
        if new_values:
            log_action(
                actor=actor,
                action=AuditLog.Action.UPDATE,
                target=user,
                description="Account changed by staff",
                old_values=old_values,
                new_values=new_values,
            )
    return user


def suspend_user(*, user: User, actor: User, reason: str) -> User:
    """Stop an account from signing in. Its web sessions and API tokens stop working at their next request (both
    check `is_active`); its listings, bookings and history stay. Doing it twice changes nothing.

    Staff cannot suspend themselves (nobody would be left to undo it), and only a superuser suspends a superuser.
    """
    _ensure_staff(actor)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.pk == actor.pk:
            raise Conflict("You cannot suspend your own account.", code="suspend_self")
        if user.is_superuser and not actor.is_superuser:
            raise PermissionDenied("Only a superuser can suspend a superuser.")
        if not user.is_active:
            return user
        user.is_active = False
        user.save(update_fields=["is_active", "updated_at"])
        log_action(
            actor=actor,
            action=AuditLog.Action.MODERATE,
            target=user,
            description=f"Account suspended. {reason}".strip(),
            old_values={"is_active": True},
            new_values={"is_active": False},
            additional_data={"reason": reason},
        )
    return user


def reactivate_user(*, user: User, actor: User) -> User:
    """Let a suspended account sign in again. A deleted account stays closed (its personal data is gone)."""
    _ensure_staff(actor)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_active:
            return user
        if user.is_deleted:
            raise Conflict("A deleted account cannot be reactivated.", code="account_deleted")
        user.is_active = True
        user.save(update_fields=["is_active", "updated_at"])
        log_action(
            actor=actor,
            action=AuditLog.Action.MODERATE,
            target=user,
            description="Account reactivated",
            old_values={"is_active": False},
            new_values={"is_active": True},
        )
    return user
