#!/usr/bin/env python3
"""Bản tin's command line: `python build.py --help`."""

import os
import sys

from bulletin.cli import main

if __name__ == "__main__":
    code = main()
    # The work is done and every file is closed: leave without tearing down the interpreter,
    # which would free the build's objects one by one (a second or more on a large site).
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:  # a closed pipe: there is no one left to tell
            pass
        except OSError:  # what was said is lost (a full disk): the run did not succeed
            code = code or 120
    os._exit(code or 0)
