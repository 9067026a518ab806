"""Field-level encryption for the few values we must store but never expose (a driver licence number).

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under a list of keys from the environment,
`FIELD_ENCRYPTION_KEYS`, newest first: new values use the first key, any listed key decrypts, and
`manage.py rotate_encryption_key` re-encrypts everything under the first key so old keys can be dropped.
"""

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class DecryptionError(Exception):
    """The ciphertext was not made by any of the configured keys."""


@lru_cache(maxsize=4)
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def _keys() -> tuple[str, ...]:
    keys = tuple(key.strip() for key in settings.FIELD_ENCRYPTION_KEYS if key.strip())
    if keys:
        return keys
    # Local development only: a key derived from SECRET_KEY so that nothing needs configuring.
    derived = base64.urlsafe_b64encode(hashlib.sha256(("field-encryption:" + settings.SECRET_KEY).encode()).digest())
    return (derived.decode(),)


def encrypt(plaintext: str) -> str:
    if not plaintext:
        return ""
    return _cipher(_keys()).encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    if not ciphertext:
        return ""
    try:
        return _cipher(_keys()).decrypt(ciphertext.encode()).decode()
    except InvalidToken as error:
        raise DecryptionError("value was not encrypted with any configured key") from error


def rotate(ciphertext: str) -> str:
    """Re-encrypt `ciphertext` under the newest key."""
    if not ciphertext:
        return ""
    try:
        return _cipher(_keys()).rotate(ciphertext.encode()).decode()
    except InvalidToken as error:
        raise DecryptionError("value was not encrypted with any configured key") from error


def generate_key() -> str:
    return Fernet.generate_key().decode()
