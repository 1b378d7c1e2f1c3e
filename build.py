#!/usr/bin/env python3
"""Bản tin's command line: `python build.py --help`."""

import sys

from bulletin.cli import main

if __name__ == "__main__":
    sys.exit(main())
