"""People: seekers, hosts, staff. One table, `users`, as in the seed."""

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.contrib.gis.db import models
from django.db.models.functions import Lower


class UserManager(DjangoUserManager):
    """Users sign in with their email address; there is no separate username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractUser):
    class UserType(models.TextChoices):
        SEEKER = "SEEKER", "Parking seeker"
        HOST = "HOST", "Space host"
        BOTH = "BOTH", "Both seeker and host"

    class NotificationMethod(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "SMS"
        PUSH = "push", "Push"

    username = None
    email = models.EmailField("email address", unique=True)
    # Stored in E.164 (+15551234567); parsing and validation happen in the account services.
    phone_number = models.CharField(max_length=17, blank=True)
    user_type = models.CharField(max_length=10, choices=UserType.choices, default=UserType.SEEKER)

    profile_picture = models.ImageField(upload_to="profiles/", blank=True, null=True)
    bio = models.TextField(max_length=500, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)

    is_email_verified = models.BooleanField(default=False)
    is_phone_verified = models.BooleanField(default=False)
    is_identity_verified = models.BooleanField(default=False)
    # Ciphertext only: the licence number is encrypted at rest by the account services.
    driver_license_number = models.TextField(blank=True)
    driver_license_state = models.CharField(max_length=2, blank=True)

    default_location = models.PointField(null=True, blank=True, srid=4326)
    default_address = models.CharField(max_length=255, blank=True)

    stripe_customer_id = models.CharField(max_length=255, blank=True)
    stripe_account_id = models.CharField(max_length=255, blank=True, help_text="Connect account that receives payouts.")

    preferred_notification_method = models.CharField(
        max_length=10, choices=NotificationMethod.choices, default=NotificationMethod.EMAIL
    )

    rating_average = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    rating_count = models.PositiveIntegerField(default=0)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_login_ip = models.GenericIPAddressField(null=True, blank=True)

    is_deleted = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        db_table = "users"
        indexes = [
            models.Index(fields=["phone_number"], name="users_phone_number_idx"),
            models.Index(fields=["user_type"], name="users_user_type_idx"),
            models.Index(fields=["stripe_customer_id"], name="users_stripe_customer_idx"),
        ]
        constraints = [
            # Addresses differ only in case are the same mailbox: one account per mailbox.
            models.UniqueConstraint(Lower("email"), name="users_email_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(rating_average__isnull=True)
                | models.Q(rating_average__gte=1, rating_average__lte=5),
                name="users_rating_average_range",
            ),
            models.CheckConstraint(
                condition=models.Q(is_deleted=False) | models.Q(deleted_at__isnull=False),
                name="users_deleted_has_timestamp",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_host(self) -> bool:
        return self.user_type in (self.UserType.HOST, self.UserType.BOTH)

    @property
    def is_seeker(self) -> bool:
        return self.user_type in (self.UserType.SEEKER, self.UserType.BOTH)
