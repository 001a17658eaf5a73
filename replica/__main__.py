"""``python -m replica``: serve a local replica without the rest of warta installed."""

import sys

from replica.cli import main

if __name__ == "__main__":
    sys.exit(main())
