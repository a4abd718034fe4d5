"""The records waiting for the screen, and how many were left off it.

Only events, emits and packets wait here; the backlog keeps the newest ``capacity`` of
them and counts the older ones it lets go, by event name. Records files and --json never
go through it: they keep every record.
"""

import collections

COALESCED_TYPES = frozenset({"event", "emit", "packet"})


class ScreenBacklog:
    def __init__(self, capacity):
        self.capacity = capacity
        self._records = collections.deque()
        self._skipped = collections.Counter()

    def __len__(self):
        return len(self._records)

    def add(self, record):
        self._records.append(record)
        if len(self._records) > self.capacity:
            self._skipped[_count_key(self._records.popleft())] += 1

    def pop(self):
        return self._records.popleft()

    def take_skipped(self):
        """The counts of the records let go since the last call (None if none)."""
        if not self._skipped:
            return None
        skipped, self._skipped = self._skipped, collections.Counter()
        return skipped

    def clear(self):
        self._records.clear()
        self._skipped.clear()


def _count_key(record):
    name = record.get("event")
    if isinstance(name, str) and name:
        return name
    if isinstance(name, (int, float)) and not isinstance(name, bool):
        return str(name)
    return record["type"]
