"""The layers' import rules (README "How it is built"), checked on the source's syntax tree.

trunk (cli, dispatch, settings, ...): no heavy library at module level.
client/ and server.py: never output/, commands/, modes/, rich or prompt_toolkit.
output/: the only importer of rich. commands/: no rich, prompt_toolkit or socketio.
modes/: one unit per mode; they import each other only through runner, prompt and batch.
client/hooks.py: the only module naming python-socketio/python-engineio internals.
"""

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[2] / "siocli"
TRUNK = {"__init__", "__main__", "cli", "dispatch", "settings", "environment", "status",
         "errors", "grammar", "records", "auth", "completion", "validate", "profiles",
         "proxy", "recording"}
LAYERS = {"client", "output", "commands", "modes"}
HEAVY = {"rich", "prompt_toolkit", "socketio", "engineio", "aiohttp"}
SHARED_MODES = {"runner", "prompt", "batch"}
HOOKS = "client/hooks.py"
# Attributes only python-socketio's objects have: their engine, their namespace manager,
# their per-connection environ. Only the hooks module may reach for them.
LIBRARY_INTERNALS = {"eio", "manager", "environ"}


def layer_of(relative):
    parts = pathlib.PurePosixPath(relative).parts
    if len(parts) == 1:
        stem = parts[0][:-3]
        if stem == "server":
            return "server"
        assert stem in TRUNK, "%s is in no layer: add it to one (and to README)" % relative
        return "trunk"
    assert parts[0] in LAYERS, "%s is in no layer" % relative
    return parts[0]


def mode_unit(relative):
    """`modes/repl/app.py` -> "repl"; `modes/runner.py` -> "runner"."""
    parts = pathlib.PurePosixPath(relative).parts
    return parts[1][:-3] if parts[1].endswith(".py") else parts[1]


def imports(tree):
    """(module name, at module level) for every import in ``tree``."""
    found = []

    def visit(node, top_level):
        for child in ast.iter_child_nodes(node):
            inner = top_level and not isinstance(
                child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                found.extend((alias.name, top_level) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.level == 0:
                found.append((child.module, top_level))
                found.extend(("%s.%s" % (child.module, alias.name), top_level)
                             for alias in child.names)
            visit(child, inner)

    visit(tree, True)
    return found


def root(name):
    return name.split(".")[0]


def siocli_part(name):
    """`siocli.modes.repl.app` -> ("modes", "repl"); not siocli: None."""
    parts = name.split(".")
    if parts[0] != "siocli" or len(parts) < 2:
        return None
    return parts[1], parts[2] if len(parts) > 2 else None


def violations(relative, source):
    tree = ast.parse(source)
    layer = layer_of(relative)
    problems = []
    for name, top_level in imports(tree):
        top = root(name)
        inner = siocli_part(name)
        if layer == "trunk" and top_level and top in HEAVY:
            problems.append("the trunk imports %s at module level" % name)
        if layer in ("client", "server"):
            if top in ("rich", "prompt_toolkit") or (inner and inner[0] in (
                    "output", "commands", "modes")):
                problems.append("%s imports %s" % (layer, name))
        if layer != "output" and top == "rich":
            problems.append("rich imported outside output/: %s" % name)
        if layer == "commands" and top in ("rich", "prompt_toolkit", "socketio"):
            problems.append("commands/ imports %s" % name)
        if layer == "modes" and inner and inner[0] == "modes" and inner[1] is not None:
            other, own = inner[1], mode_unit(relative)
            if other != own and other not in SHARED_MODES:
                problems.append("mode %s imports mode %s" % (own, other))
    if relative != HOOKS:
        problems.extend(private_access(tree))
    return problems


def private_access(tree):
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            name = node.attr
            owner = node.value.id if isinstance(node.value, ast.Name) else None
            private = name.startswith("_") and not name.startswith("__")
            if owner not in ("self", "cls", "os") and (private or name in LIBRARY_INTERNALS):
                problems.append("line %d names %s.%s: only %s may reach under python-socketio"
                                % (node.lineno, owner or "...", name, HOOKS))
        elif isinstance(node, ast.ClassDef):
            for base in node.bases:
                text = ast.unparse(base)
                if root(text) in ("socketio", "engineio"):
                    problems.append("line %d subclasses %s outside %s" % (
                        node.lineno, text, HOOKS))
    return problems


def package_sources():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(PACKAGE).as_posix(), path.read_text(encoding="utf-8")


@pytest.mark.parametrize("relative,source", list(package_sources()),
                         ids=lambda value: value if value.endswith(".py") else "")
def test_every_module_keeps_its_layer_rules(relative, source):
    assert violations(relative, source) == []


@pytest.mark.parametrize("relative,source,expected", [
    ("settings.py", "import rich\n", "the trunk imports rich at module level"),
    ("cli.py", "from socketio import AsyncClient\n", "the trunk imports socketio"),
    ("client/session.py", "from siocli.output.writer import Output\n", "client imports"),
    ("server.py", "def f():\n    import prompt_toolkit\n", "server imports prompt_toolkit"),
    ("modes/demo.py", "def f():\n    from rich.panel import Panel\n", "rich imported outside"),
    ("commands/screen.py", "import socketio\n", "commands/ imports socketio"),
    ("modes/demo.py", "from siocli.modes.repl.app import run_repl\n",
     "mode demo imports mode repl"),
    ("client/session.py", "state = client.eio.state\n", "names client.eio"),
    ("server.py", "server._handle_event(1)\n", "names server._handle_event"),
    ("server.py", "sockets = self.sio.eio.sockets\n", "names ....eio"),
    ("server.py", "import socketio\nclass S(socketio.AsyncServer):\n    pass\n", "subclasses"),
])
def test_each_rule_catches_its_violation(relative, source, expected):
    found = violations(relative, source)
    assert any(expected in problem for problem in found), found


def test_allowed_imports_pass():
    assert violations("modes/repl/app.py", "from siocli.modes.prompt import open_history\n"
                      "from siocli.modes.runner import run_connected\n"
                      "from prompt_toolkit import PromptSession\n") == []
    assert violations("dispatch.py", "def f():\n    from siocli.modes.demo import x\n") == []
    assert violations(HOOKS, "client.eio.disconnect()\n") == []
