"""A registry of commands: name, aliases, synopsis, help text and an async handler
``handler(context, rest) -> Reply``. `help` is built from it; completion reads it."""

import dataclasses
import difflib

from siocli import grammar
from siocli.errors import CommandError


@dataclasses.dataclass(frozen=True)
class Command:
    name: str
    synopsis: str
    summary: str
    handler: object
    details: str = ""
    aliases: tuple = ()
    words: tuple = ()  # option / sub-command words offered by completion

    @property
    def usage(self):
        return ("%s %s" % (self.name, self.synopsis)).strip()


class Registry:
    def __init__(self, commands=()):
        self.commands = []
        self._by_name = {}
        for command in commands:
            self.add(command)

    @classmethod
    def joined(cls, *registries):
        return cls(command for registry in registries for command in registry.commands)

    def add(self, command):
        self.commands.append(command)
        for name in (command.name,) + command.aliases:
            self._by_name[name] = command

    def command(self, name, synopsis, summary, details="", aliases=(), words=()):
        """Decorator: register ``handler`` under ``name``."""
        def register(handler):
            self.add(Command(name, synopsis, summary, handler, details, tuple(aliases),
                             tuple(words)))
            return handler
        return register

    def find(self, name):
        return self._by_name.get(name)

    def names(self):
        return sorted(self._by_name)

    def suggest(self, name):
        close = difflib.get_close_matches(name, self.names(), n=1, cutoff=0.6)
        return close[0] if close else None


def words_of(rest):
    """The words of a command's arguments; a CommandError on bad quoting."""
    try:
        return grammar.split_words(rest)
    except grammar.GrammarError as exc:
        raise CommandError(str(exc)) from None
