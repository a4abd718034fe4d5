"""Shell completion, by behaviour: each installed shell loads the committed script
(completions/) and the one `siocli completion SHELL` prints, then completes `siocli `
and `siocli connect --re`; and `--help` and completion stay light.

What the scripts say is click's template, which changes between click versions; what
they must do does not. The scripts call `siocli` back with _SIOCLI_COMPLETE set: a
`siocli` on PATH that runs this checkout answers.
"""

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from siocli.completion import FILE_NAMES, SHELLS
from siocli_run import ROOT, heavy_imports, run_siocli, siocli_env

COMPLETIONS = Path(ROOT) / "completions"
SUBCOMMANDS = {"connect", "serve", "demo", "bench", "replay", "completion"}
RECONNECT_OPTIONS = {"--reconnect", "--reconnect-attempts", "--reconnect-delay",
                     "--reconnect-delay-max"}

# Each program loads the script at $COMPLETION_SCRIPT, completes the command line made
# of its arguments (the last one is the word being completed; fish reads the line from
# $COMPLETION_LINE) and prints one candidate per line.

BASH = r"""
source "$COMPLETION_SCRIPT" || exit 3
spec=$(complete -p siocli) || exit 4
function=${spec##*-F }
function=${function%% *}
COMP_WORDS=("$@")
COMP_CWORD=$(( $# - 1 ))
COMP_LINE="$*"
COMP_POINT=${#COMP_LINE}
COMPREPLY=()
"$function" siocli "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"
"""

# zsh runs completion functions inside its line editor only: compdef, compadd and
# _describe are stood in for by functions that print what would be offered.
ZSH = r"""
typeset -g completer=
compdef() { completer=$1; }
offer_arrays() {
  local name
  local -a items
  for name in "$@"; do
    if [[ ${parameters[$name]-} == array* ]]; then
      items=("${(@P)name}")
      print -rl -- "${(@)items%%:*}"
    fi
  done
}
_describe() { offer_arrays "$@"; }
compadd() {
  if (( ${argv[(I)-a]} )); then
    offer_arrays "$@"
  elif (( ${argv[(I)--]} )); then
    print -rl -- "${(@)argv[${argv[(I)--]}+1,-1]}"
  fi
}
_path_files() { :; }
source "$COMPLETION_SCRIPT" || exit 3
[[ -n $completer ]] || exit 4
words=("$@")
CURRENT=$#
"$completer"
"""

FISH = r"""
source $COMPLETION_SCRIPT; or exit 3
complete --do-complete="$COMPLETION_LINE"
"""

SHELL_ARGUMENTS = {
    "bash": ["--norc", "--noprofile", "-c", BASH, "bash"],
    "zsh": ["-f", "-c", ZSH, "zsh"],
    "fish": ["--no-config", "-c", FISH],
}


@pytest.fixture
def siocli_on_path(tmp_path):
    """A bin directory holding a `siocli` that runs this checkout (as the console script
    does: program name `siocli`)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "siocli"
    script.write_text('#!/bin/sh\nexec %s -c "from siocli.cli import main; '
                      "main(prog_name='siocli')\" \"$@\"\n" % sys.executable)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return folder


def scripts(shell, tmp_path):
    """The committed script and the one `siocli completion SHELL` prints, as files."""
    result = run_siocli(tmp_path, "completion", shell)
    assert result.returncode == 0, result.stderr
    assert "_SIOCLI_COMPLETE" in result.stdout
    printed = tmp_path / ("printed." + shell)
    printed.write_text(result.stdout, encoding="utf-8")
    return {"committed": COMPLETIONS / FILE_NAMES[shell], "printed": printed}


def complete(shell, script, line, tmp_path, bin_folder):
    """What ``shell`` offers for ``line`` (its last word is the one completed, "" after a
    space) once it has loaded ``script``."""
    words = line.split(" ")
    arguments = SHELL_ARGUMENTS[shell] + ([] if shell == "fish" else words)
    env = siocli_env(tmp_path, COMPLETION_SCRIPT=str(script), COMPLETION_LINE=line)
    env["PATH"] = str(bin_folder) + os.pathsep + env.get("PATH", "")
    result = subprocess.run([shutil.which(shell), *arguments], capture_output=True, text=True,
                            timeout=30, env=env, cwd=str(tmp_path))
    assert result.returncode == 0, "%s exited %d\nstdout:\n%s\nstderr:\n%s" % (
        shell, result.returncode, result.stdout, result.stderr)
    # fish prints "CANDIDATE<TAB>DESCRIPTION"
    return [entry.split("\t")[0] for entry in result.stdout.splitlines() if entry.strip()]


@pytest.mark.parametrize("source", ["committed", "printed"])
@pytest.mark.parametrize("shell", SHELLS)
def test_the_shell_completes_subcommands_and_options(shell, source, tmp_path, siocli_on_path):
    if shutil.which(shell) is None:
        pytest.skip("%s is not installed" % shell)
    script = scripts(shell, tmp_path)[source]

    offered = complete(shell, script, "siocli ", tmp_path, siocli_on_path)
    assert set(offered) >= SUBCOMMANDS, offered

    offered = complete(shell, script, "siocli con", tmp_path, siocli_on_path)
    assert offered == ["connect"], offered

    offered = complete(shell, script, "siocli connect --re", tmp_path, siocli_on_path)
    assert set(offered) >= RECONNECT_OPTIONS, offered
    assert all(word.startswith("--re") for word in offered), offered

    offered = complete(shell, script, "siocli completion z", tmp_path, siocli_on_path)
    assert offered == ["zsh"], offered


@pytest.mark.parametrize("args", [["--help"], ["serve", "--help"], ["completion", "bash"]])
def test_help_and_completion_do_not_import_the_heavy_libraries(args, tmp_path):
    result, heavy = heavy_imports(tmp_path, args)
    assert heavy == [], result.stderr


def test_answering_a_completion_request_stays_light(tmp_path):
    result, heavy = heavy_imports(tmp_path, completing={
        "COMP_WORDS": "siocli connect --rec", "COMP_CWORD": "2",
        "_SIOCLI_COMPLETE": "bash_complete"})
    assert "plain,--reconnect" in result.stdout
    assert heavy == [], result.stderr
