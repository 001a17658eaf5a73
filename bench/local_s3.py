"""``make s3``: a local S3 server (SeaweedFS, from the venv) with a bucket, for trying S3.

It starts ``weed mini`` on 127.0.0.1 with authentication on (the same command line the
tests and ``make fleet`` use, :func:`bench.fleet.start_seaweed`), keeps its data under
``<data dir>/s3``, creates the bucket with boto3 and prints the ``export AWS_*`` lines a
second shell pastes; then it serves until Ctrl-C and stops the server it started.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from contextlib import ExitStack, suppress
from pathlib import Path

from bench.fleet import start_seaweed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make s3", description=__doc__)
    parser.add_argument("--dir", default="data/s3", help="where SeaweedFS keeps its files")
    parser.add_argument("--bucket", default="warta", help="bucket to create")
    args = parser.parse_args(argv)
    base = Path(args.dir).expanduser().resolve()
    with ExitStack() as stack:
        env = start_seaweed(stack, base, dict(os.environ))
        import boto3

        os.environ.update(env)
        s3 = boto3.client("s3")
        existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
        if args.bucket not in existing:
            s3.create_bucket(Bucket=args.bucket)
        print(f"SeaweedFS S3 on {env['AWS_ENDPOINT_URL']}, bucket {args.bucket!r}, files in {base}")
        print("paste these into another shell:\n")
        for key, value in env.items():
            print(f"export {key}={value}")
        print(f"\nthen e.g. make demo STORAGE=s3://{args.bucket}/archive")
        print("Ctrl-C here stops the server.", flush=True)
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        with suppress(KeyboardInterrupt):
            while True:
                signal.pause()
    print("SeaweedFS stopped.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
