"""Writes completions/siocli.{bash,zsh,fish} for the click that is installed:
python3 scripts/write_completions.py completions/"""

import sys

from siocli.cli import main
from siocli.completion import write_scripts

if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python3 scripts/write_completions.py DIRECTORY")
    for path in write_scripts(main, sys.argv[1]):
        print("wrote %s" % path)
