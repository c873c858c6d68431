"""Where uploaded files live: a local folder for ``make run``, any S3 endpoint otherwise.

Both keep the same keys (``<municipality>/<owner kind>/<id>/<variant>``), so a
deployment can move from one to the other by copying the tree.
"""
import os
import pathlib
import re

# The settings a service that reads or writes files declares (``environment``), so that they
# reach its config: UPLOADS_S3_BUCKET selects S3, else files go under UPLOADS_DIR.
SETTINGS = {"UPLOADS_DIR": "var/uploads", "UPLOADS_S3_BUCKET": "", "UPLOADS_S3_ENDPOINT": "", "UPLOADS_S3_REGION": ""}

_KEY = re.compile(r"^[a-z0-9][a-z0-9._/-]{0,400}$")


def _checked(key):
    # Keys are built by the code, never by a sender; still, no '..' may reach the disk.
    if not _KEY.match(key) or ".." in key or "//" in key:
        raise ValueError(f"not an object key: {key!r}")
    return key


class ObjectStore:
    """The interface: put, get (None when absent), delete one, delete under a prefix."""

    def put(self, key, data, content_type):
        raise NotImplementedError

    def get(self, key):
        raise NotImplementedError

    def delete(self, key):
        raise NotImplementedError

    def delete_prefix(self, prefix):
        raise NotImplementedError


class LocalFolderStore(ObjectStore):
    def __init__(self, root):
        self.root = pathlib.Path(root)

    def _path(self, key):
        return self.root / _checked(key)

    def put(self, key, data, content_type):
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_bytes(data)
        os.replace(partial, path)  # readers never see half a file

    def get(self, key):
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            return None

    def delete(self, key):
        self._path(key).unlink(missing_ok=True)

    def delete_prefix(self, prefix):
        base = self._path(prefix.rstrip("/"))
        if not base.is_dir():
            return
        for path in sorted(base.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        base.rmdir()


class S3Store(ObjectStore):
    """Any S3-compatible endpoint (AWS, MinIO, Ceph, Garage …) through boto3."""

    def __init__(self, bucket, endpoint_url=None, region=None, client=None, **credentials):
        if client is None:
            import boto3  # only deployments with S3 configured need it loaded
            client = boto3.client("s3", endpoint_url=endpoint_url, region_name=region, **credentials)
        self.client = client
        self.bucket = bucket

    def put(self, key, data, content_type):
        self.client.put_object(Bucket=self.bucket, Key=_checked(key), Body=data, ContentType=content_type)

    def get(self, key):
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=_checked(key))
        except self.client.exceptions.NoSuchKey:
            return None
        return answer["Body"].read()

    def delete(self, key):
        self.client.delete_object(Bucket=self.bucket, Key=_checked(key))

    def delete_prefix(self, prefix):
        prefix = _checked(prefix.rstrip("/")) + "/"
        token = None
        while True:
            args = {"Bucket": self.bucket, "Prefix": prefix}
            if token:
                args["ContinuationToken"] = token
            page = self.client.list_objects_v2(**args)
            keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
            if keys:
                self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": keys, "Quiet": True})
            if not page.get("IsTruncated"):
                return
            token = page["NextContinuationToken"]


def from_environment(env=None):
    """UPLOADS_S3_BUCKET (with UPLOADS_S3_ENDPOINT, UPLOADS_S3_REGION and the usual
    AWS_* credentials) selects S3; otherwise files go under UPLOADS_DIR (var/uploads)."""
    env = os.environ if env is None else env
    bucket = env.get("UPLOADS_S3_BUCKET")
    if bucket:
        return S3Store(bucket, endpoint_url=env.get("UPLOADS_S3_ENDPOINT") or None, region=env.get("UPLOADS_S3_REGION") or None)
    return LocalFolderStore(env.get("UPLOADS_DIR", "var/uploads"))
