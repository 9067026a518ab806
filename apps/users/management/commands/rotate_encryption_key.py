"""Re-encrypt stored driver licence numbers under the newest key.

Rotation, step by step (also in the README):
1. `manage.py rotate_encryption_key --generate` prints a new key.
2. Put it first in FIELD_ENCRYPTION_KEYS, keeping the old keys after it; deploy (old values still decrypt).
3. `manage.py rotate_encryption_key` rewrites every value under the new key.
4. Remove the old keys from FIELD_ENCRYPTION_KEYS; deploy.
"""

from django.core.management.base import BaseCommand, CommandError

from apps.core import crypto
from apps.users.services import rotate_encryption_key


class Command(BaseCommand):
    help = "Re-encrypt sensitive fields under the first key of FIELD_ENCRYPTION_KEYS (or --generate a new key)."

    def add_arguments(self, parser):
        parser.add_argument("--generate", action="store_true", help="Print a new key and change nothing.")

    def handle(self, *args, generate: bool = False, **options):
        if generate:
            self.stdout.write(crypto.generate_key())
            return
        try:
            count = rotate_encryption_key()
        except crypto.DecryptionError as error:
            raise CommandError(
                f"{error}. Keep every key still in use in FIELD_ENCRYPTION_KEYS (newest first) and run again."
            ) from error
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {count} value(s) under the newest key."))
