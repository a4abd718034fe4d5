"""siocli: a command-line client and debugger for Socket.IO servers."""

__version__ = "0.1.0"
