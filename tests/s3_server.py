"""A real S3 server on 127.0.0.1 for the scan's object-store tests: moto's S3 in server mode, with the one rule of
S3 that moto does not model and arXiv's bucket relies on (Amazon S3 User Guide, "Using Requester Pays buckets"):
a requester-pays bucket answers 403 AccessDenied to any request without the header `x-amz-request-payer:
requester`. A bucket named in `closed` answers 403 to every reader (a bucket this user has no access to).

Credentials are the test's own (AWS_ACCESS_KEY_ID=testing...), set in the environment as a user would; every
request is counted per method and path, so a test can tell what was read."""

from __future__ import annotations

import collections
import io
import tarfile
import threading
from contextlib import contextmanager
from typing import Iterator

DENIED = (b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message>'
          b'<RequestId>1</RequestId></Error>')


class RequesterPays:
    """WSGI middleware: S3's requester-pays and closed-bucket refusals in front of moto."""

    def __init__(self, app, requester_pays: set[str], closed: set[str]):
        self.app, self.requester_pays, self.closed = app, requester_pays, closed
        self.requests: collections.Counter = collections.Counter()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        bucket = path.strip("/").split("/", 1)[0]
        self.requests[(environ.get("REQUEST_METHOD"), path)] += 1
        paid = environ.get("HTTP_X_AMZ_REQUEST_PAYER", "").lower() == "requester"
        refused = environ.get("REQUEST_METHOD") != "PUT" and (  # the owner makes and fills the buckets
            bucket in self.closed or (bucket in self.requester_pays and not paid))
        if refused:
            start_response("403 Forbidden", [("Content-Type", "application/xml"), ("Content-Length",
                                                                                    str(len(DENIED)))])
            return [DENIED]
        return self.app(environ, start_response)


@contextmanager
def s3_server(requester_pays: set[str] = frozenset(), closed: set[str] = frozenset()) -> Iterator[tuple[str,
                                                                                                       RequesterPays]]:
    """(the endpoint URL, the middleware) of a moto S3 server on 127.0.0.1, for the block."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    class Quiet(MotoRequestHandler):
        def log_request(self, *args, **kwargs):  # no line per request on stderr
            pass

    app = RequesterPays(DomainDispatcherApplication(create_backend_app), set(requester_pays), set(closed))
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", app
    finally:
        server.shutdown()
        thread.join()


def credentials(monkeypatch) -> None:
    """The environment a user of a bucket has: credentials (moto takes any), a region, and no other source of them
    (no config files, no instance metadata service: no network)."""
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": "/dev/null",
                        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_EC2_METADATA_DISABLED": "true"}.items():
        monkeypatch.setenv(name, value)


def tar_of(members: dict[str, bytes]) -> bytes:
    """A tar archive (as arXiv's chunks are: plain tar) of name -> bytes."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1_600_000_000
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def source_tarball(files: dict[str, bytes]) -> bytes:
    """One paper's source as arXiv keeps it: a gzipped tar of its files."""
    import gzip

    return gzip.compress(tar_of(files), mtime=0)
