"""Cold storage in an S3 bucket, every object encrypted at rest by S3 (SSE-S3 or SSE-KMS).

Credentials come from boto3's usual chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a profile, or the instance's
role); `S3_ENDPOINT_URL` points at an S3-compatible service (MinIO, a test server) instead of AWS. After each
upload the object is read back with HEAD: it must have the file's size and the encryption asked for.
"""

import sys
from pathlib import Path
from urllib.parse import urlparse

import boto3
from boto3.exceptions import Boto3Error
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from tqdm import tqdm

from apps.core.cold_storage import ColdStorageError

ENCRYPTIONS = ("AES256", "aws:kms")


def parse_s3_url(url: str) -> tuple[str, str]:
    """`s3://bucket/some/key` -> ("bucket", "some/key")."""
    parsed = urlparse(url)
    key = parsed.path.lstrip("/")
    if parsed.scheme != "s3" or not parsed.netloc or not key:
        raise ColdStorageError(f"{url!r} is not an S3 location like s3://bucket/path/to/file")
    return parsed.netloc, key


class S3ColdStorage:
    def __init__(
        self,
        *,
        bucket: str,
        prefix: str = "",
        encryption: str = "AES256",
        kms_key_id: str = "",
        endpoint_url: str = "",
        region: str = "",
    ) -> None:
        if encryption not in ENCRYPTIONS:
            raise ColdStorageError(f"S3_SSE must be one of {', '.join(ENCRYPTIONS)}, not {encryption!r}")
        if kms_key_id and encryption != "aws:kms":
            raise ColdStorageError("S3_SSE_KMS_KEY_ID is set, so S3_SSE must be aws:kms")
        self.bucket = bucket
        self.prefix = prefix
        self.encryption = encryption
        self.kms_key_id = kms_key_id
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint_url or None,
            region_name=region or None,
            config=Config(retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=10, read_timeout=60),
        )

    @classmethod
    def from_settings(cls, *, bucket: str, prefix: str) -> "S3ColdStorage":
        return cls(
            bucket=bucket,
            prefix=prefix,
            encryption=settings.S3_SSE,
            kms_key_id=settings.S3_SSE_KMS_KEY_ID,
            endpoint_url=settings.S3_ENDPOINT_URL,
            region=settings.S3_REGION,
        )

    def location(self, key: str) -> str:
        return f"s3://{self.bucket}/{self.prefix}{key}"

    def put(self, local_path: Path, key: str, *, progress: bool = False) -> str:
        object_key = self.prefix + key
        size = Path(local_path).stat().st_size
        extra = {"ServerSideEncryption": self.encryption}
        if self.kms_key_id:
            extra["SSEKMSKeyId"] = self.kms_key_id
        try:
            with _progress_bar(size, f"upload to {self.location(key)}", enabled=progress) as bar:
                self.client.upload_file(
                    str(local_path),
                    self.bucket,
                    object_key,
                    ExtraArgs=extra,
                    Callback=bar.update,
                    Config=TransferConfig(multipart_threshold=64 * 1024 * 1024),
                )
            head = self.client.head_object(Bucket=self.bucket, Key=object_key)
        except (Boto3Error, BotoCoreError, ClientError) as error:
            raise ColdStorageError(f"could not upload {local_path} to {self.location(key)}: {error}") from error
        if head.get("ContentLength") != size:
            raise ColdStorageError(f"{self.location(key)} has {head.get('ContentLength')} bytes, expected {size}")
        if head.get("ServerSideEncryption") != self.encryption:
            raise ColdStorageError(
                f"{self.location(key)} is not encrypted with {self.encryption} "
                f"(the bucket answered {head.get('ServerSideEncryption')!r})"
            )
        return self.location(key)

    def fetch(self, key: str, local_path: Path, *, progress: bool = False) -> None:
        object_key = self.prefix + key
        try:
            size = self.client.head_object(Bucket=self.bucket, Key=object_key)["ContentLength"]
            with _progress_bar(size, f"download {self.location(key)}", enabled=progress) as bar:
                self.client.download_file(self.bucket, object_key, str(local_path), Callback=bar.update)
        except (Boto3Error, BotoCoreError, ClientError) as error:
            raise ColdStorageError(f"could not download {self.location(key)}: {error}") from error


def _progress_bar(total: int, description: str, *, enabled: bool) -> tqdm:
    # `disable=None` when asked: drawn on a terminal, silent when stderr is a file or a pipe.
    return tqdm(
        total=total,
        desc=description,
        unit="B",
        unit_scale=True,
        file=sys.stderr,
        disable=None if enabled else True,
        leave=False,
    )
