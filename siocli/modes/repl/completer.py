"""Completion: commands and their options, event names, namespaces, paths after `@`."""

from prompt_toolkit.completion import Completer, Completion, PathCompleter
from prompt_toolkit.document import Document

from siocli.grammar import quote_word
from siocli.output.safe_text import visible


class CommandCompleter(Completer):
    def __init__(self, registry, context):
        self.registry = registry
        self.context = context
        self.paths = PathCompleter(expanduser=True)

    def get_completions(self, document, complete_event):
        text = document.text_before_cursor
        words = text.split()
        current = "" if not text or text[-1].isspace() else words[-1]
        position = len(words) - (0 if current == "" else 1)  # index of the word being typed
        if position == 0:
            yield from self._matching(self.registry.names(), current)
            return
        if current.startswith("@"):
            yield from self._paths(current[1:], complete_event)
            return
        command = self.registry.find(words[0])
        if command is None:
            return
        yield from self._matching(self._candidates(command, words, position), current)

    def _candidates(self, command, words, position):
        session = self.context.session
        name = command.name
        # as they are typed back: "add user" in quotes
        events = sorted(quote_word(name) for name in session.event_names)
        if name in ("listen", "mute"):
            return events
        if name == "emit":
            return events if position == 1 else []
        if name == "call":
            if position == 1:
                return list(command.words) + events
            if words[1] == "--timeout" and position == 3:
                return events
            return []
        if name == "reply" and position == 1:  # the pending ack requests, latest first
            pending = session.ack_requests.pending(self.context.namespace)
            return [str(request.ack) for request in reversed(pending)]
        if name == "ns" and position == 1:
            return sorted(session.namespaces)
        if name == "help" and position == 1:
            return [c.name for c in self.registry.commands]
        if position == 1:
            return list(command.words)
        return []

    @staticmethod
    def _matching(candidates, current):
        for candidate in candidates:
            if candidate.startswith(current):
                # event names come from the server: the menu shows them escaped
                yield Completion(candidate, start_position=-len(current),
                                 display=visible(candidate))

    def _paths(self, partial, complete_event):
        document = Document(partial, len(partial))
        for completion in self.paths.get_completions(document, complete_event):
            yield Completion(completion.text, start_position=completion.start_position,
                             display=completion.display)
