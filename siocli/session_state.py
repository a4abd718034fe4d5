"""Small state holders of the session core."""

import dataclasses


@dataclasses.dataclass
class NamespaceState:
    name: str
    sid: str = None
    connected: bool = False
    wanted: bool = True
    rejected: bool = False
    events_in: int = 0
    events_out: int = 0


@dataclasses.dataclass(eq=False)
class PendingCall:
    id: int
    namespace: str
    event: str
    args: tuple
    future: object
    sent: bool = False
    sent_at: float = 0.0

    def cancel(self):
        if not self.future.done():
            self.future.cancel()


@dataclasses.dataclass(eq=False)
class QueuedEmit:
    namespace: str
    event: str
    args: tuple
    call: PendingCall = None
