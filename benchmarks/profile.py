"""Where a command's time goes: py-spy samples it, and each sample is given to a part.

    pip install py-spy
    python benchmarks/profile.py [--rate 250] [--keep FILE] -- COMMAND [ARG...]
    python benchmarks/profile.py --read FILE          # a py-spy raw file taken before

    python benchmarks/profile.py -- python -m siocli connect URL -t websocket --json < calls.txt
    python benchmarks/profile.py -- python benchmarks/raw_python.py URL calls 5000

Each sample goes to the innermost frame that belongs to a known part (siocli's layers,
python-socketio, python-engineio, aiohttp, rich, click, imports); time in the event loop
itself, with no known part under it, is "asyncio loop". Then the siocli functions that
took the most samples (innermost siocli frame, below the loop). docs/benchmarks.md holds
what these said for the targets that are missed.
"""

import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile

PARTS = (
    ("siocli output (writer, renderers)", "siocli/output/"),
    ("siocli records (dicts, timestamps, JSON)", "siocli/records.py"),
    ("siocli packet checks", "siocli/client/packets.py"),
    ("siocli wire watcher", "siocli/client/wire.py"),
    ("siocli hooks (watched websocket)", "siocli/client/hooks.py"),
    ("siocli sending (queue, calls)", "siocli/client/sending.py"),
    ("siocli session", "siocli/client/session.py"),
    ("siocli modes", "siocli/modes/"),
    ("siocli commands", "siocli/commands/"),
    ("siocli grammar", "siocli/grammar.py"),
    ("siocli other", "siocli/"),
    ("python-socketio", "socketio/"),
    ("python-engineio", "engineio/"),
    ("aiohttp", "aiohttp/"),
    ("rich", "rich/"),
    ("prompt_toolkit", "prompt_toolkit/"),
    ("click", "click/"),
    ("imports", "<frozen importlib"),
)
LOOP = ("asyncio/events.py", "asyncio/base_events.py")
FRAME = re.compile(r"^(.*) \((.*?)(?::\d+)?\)$")


def samples(path):
    """(frames root first, count) of each line of a py-spy raw file."""
    with open(path, encoding="utf-8", errors="replace") as lines:
        for line in lines:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            if stack and count.isdigit():
                yield [FRAME.match(frame) for frame in stack.split(";")], int(count)


def breakdown(path):
    parts, functions, total = collections.Counter(), collections.Counter(), 0
    for frames, count in samples(path):
        total += count
        part = function = None
        for frame in reversed(frames):
            where = frame.group(2) if frame else ""
            if any(marker in where for marker in LOOP):
                break  # the event loop itself runs what is above
            if part is None:
                part = next((name for name, marker in PARTS if marker in where), None)
            if function is None and "siocli/" in where:
                function = "%s (%s)" % (frame.group(1), where.split("siocli/", 1)[1])
            if part and function:
                break
        parts[part or "asyncio loop, selectors, other stdlib"] += count
        if function:
            functions[function] += count
    return parts, functions, total


def report(path, top=15):
    parts, functions, total = breakdown(path)
    print("%d samples" % total)
    for name, count in parts.most_common():
        print("  %-44s %5.1f %%" % (name, 100 * count / max(total, 1)))
    if functions:
        print("siocli functions (innermost siocli frame, callees included):")
        for name, count in functions.most_common(top):
            print("  %5.1f %%  %s" % (100 * count / max(total, 1), name))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=250, help="samples per second (250)")
    parser.add_argument("--keep", metavar="FILE", help="keep py-spy's raw samples in FILE")
    parser.add_argument("--read", metavar="FILE", help="report on a raw file taken before")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    if args.read:
        report(args.read)
        return
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give a command after --")
    spy = shutil.which("py-spy")
    if spy is None:
        sys.exit("py-spy is not installed: pip install py-spy")
    with tempfile.TemporaryDirectory() as workdir:
        raw = args.keep or os.path.join(workdir, "samples.txt")
        status = subprocess.call([spy, "record", "-r", str(args.rate), "-f", "raw", "-o", raw,
                                  "--", *command], stdout=subprocess.DEVNULL)
        if not os.path.exists(raw):
            sys.exit("py-spy wrote no samples (exit status %s)" % status)
        report(raw)


if __name__ == "__main__":
    main()
