"""The client's commands, one registry for the REPL and for piped stdin (SPEC "REPL
commands"): handlers return data (a Reply), the output layer shows it."""

from siocli.commands import connection, messaging, screen
from siocli.commands.registry import Registry

REGISTRY = Registry.joined(messaging.COMMANDS, connection.COMMANDS, screen.COMMANDS)
