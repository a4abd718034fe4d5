"""The JS Manager's reconnection: when to try again, how long to wait, when to give up."""

import asyncio
import dataclasses
import random
import time

from siocli import records


@dataclasses.dataclass(frozen=True)
class ReconnectPolicy:
    """socket.io-client's `reconnection*` options."""

    enabled: bool = True
    attempts: int = 0  # 0: unlimited
    delay: float = 1.0
    delay_max: float = 5.0
    randomization_factor: float = 0.5

    @classmethod
    def from_settings(cls, settings):
        return cls(enabled=settings.reconnect, attempts=settings.reconnect_attempts,
                   delay=settings.reconnect_delay, delay_max=settings.reconnect_delay_max,
                   randomization_factor=settings.randomization_factor)

    def backoff(self, attempt, draw=random.random):
        """The JS client's backoff: doubling from `delay`, jittered, capped at `delay_max`."""
        delay = self.delay * (2 ** min(attempt - 1, 32))
        deviation = draw() * self.randomization_factor * delay
        delay = delay - deviation if draw() < 0.5 else delay + deviation
        return max(0.0, min(delay, self.delay_max))

    def exhausted(self, attempt):
        return not self.enabled or bool(self.attempts and attempt >= self.attempts)


class Reconnection:
    """Runs connection attempts until one settles, waiting the backoff between them.

    ``attempt_once()`` returns "connected", "rejected" or "failed"; only "failed" is
    tried again. ``record`` receives the `reconnect_attempt` / `reconnect_failed` records.
    """

    def __init__(self, policy, attempt_once, record, namespace, set_state):
        self.policy = policy
        self._attempt_once = attempt_once
        self._record = record
        self._namespace = namespace
        self._set_state = set_state
        self.attempt = 0
        self.outcome = None  # of the last attempt: "connected", "rejected" or "failed"
        self.next_attempt_at = None
        self._task = None
        self._wake = asyncio.Event()
        self.closed = False

    @property
    def running(self):
        return self._task is not None and not self._task.done()

    @property
    def task(self):
        return self._task

    def start(self, first_attempt, give_up_after=None):
        """Start attempting (``first_attempt`` 0: at once); wakes a loop already waiting."""
        if self.running:
            self._wake.set()
            return
        self._task = asyncio.get_running_loop().create_task(
            self._run(first_attempt, give_up_after))

    async def stop(self):
        """Cancel the loop; True if it was running."""
        self.next_attempt_at = None
        if not self.running:
            return False
        self._task.cancel()
        try:
            await self._task
        except (asyncio.CancelledError, Exception):
            pass
        return True

    async def _run(self, attempt, give_up_after):
        deadline = None if give_up_after is None else time.monotonic() + give_up_after
        while not self.closed:
            if attempt:
                await self._pause(attempt, deadline)
                if self.closed:
                    return
            self.attempt = attempt
            self.outcome = await self._attempt_once()
            if self.outcome != "failed":
                return
            out_of_time = deadline is not None and time.monotonic() >= deadline
            if out_of_time or self.policy.exhausted(attempt):
                if attempt:
                    self._record(records.reconnect_failed(self._namespace, attempt))
                self._set_state("disconnected")
                return
            attempt += 1

    async def _pause(self, attempt, deadline):
        delay = self.policy.backoff(attempt)
        if deadline is not None:
            delay = min(delay, max(0.0, deadline - time.monotonic()))
        self._set_state("reconnecting")
        self.next_attempt_at = time.monotonic() + delay
        self._record(records.reconnect_attempt(self._namespace, attempt, delay))
        self._wake.clear()
        try:
            await asyncio.wait_for(self._wake.wait(), delay)
        except TimeoutError:
            pass
        self.next_attempt_at = None
