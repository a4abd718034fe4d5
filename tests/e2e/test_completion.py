"""Shell completion: the generated files match the CLI, and bash really completes."""

import os
import pathlib
import shutil
import subprocess
import sys

import pytest

from serve_fixtures import ROOT, clean_env, run_siocli
from siocli.cli import main
from siocli.completion import FILE_NAMES, SHELLS, completion_script

COMPLETIONS = pathlib.Path(ROOT) / "completions"
HEAVY = ("socketio", "engineio", "aiohttp", "prompt_toolkit", "rich")


@pytest.mark.parametrize("shell", SHELLS)
def test_completions_dir_matches_what_the_cli_generates(shell):
    stored = (COMPLETIONS / FILE_NAMES[shell]).read_text(encoding="utf-8")
    assert stored == completion_script(main, shell), (
        "completions/%s is out of date: run `python3 scripts/write_completions.py completions/`"
        % FILE_NAMES[shell])


@pytest.mark.parametrize("shell", SHELLS)
def test_siocli_completion_prints_the_script(shell, tmp_path):
    result = run_siocli(tmp_path, "completion", shell)
    assert result.returncode == 0, result.stderr
    assert result.stdout == completion_script(main, shell)
    assert "_SIOCLI_COMPLETE" in result.stdout


def siocli_script():
    """The installed console script, or None."""
    found = shutil.which("siocli")
    if found:
        return found
    candidate = pathlib.Path(sys.executable).with_name("siocli")
    return str(candidate) if candidate.exists() else None


def bash_complete(tmp_path, *words):
    """COMPREPLY of `siocli WORDS<TAB>` in a real bash that sourced completions/siocli.bash."""
    bash = shutil.which("bash")
    script = siocli_script()
    if not bash or not script:
        pytest.skip("bash or the installed `siocli` console script is missing")
    words_text = " ".join("'%s'" % word for word in ("siocli",) + words)
    program = (
        'source "$1"\n'
        "COMP_WORDS=(%s)\n"
        "COMP_CWORD=%d\n"
        "COMPREPLY=()\n"
        "_siocli_completion siocli\n"
        'printf "%%s\\n" "${COMPREPLY[@]}"\n' % (words_text, len(words)))
    env = clean_env(tmp_path)
    env["PATH"] = os.path.dirname(script) + os.pathsep + env.get("PATH", "")
    result = subprocess.run([bash, "--norc", "--noprofile", "-c", program, "bash",
                             str(COMPLETIONS / "siocli.bash")],
                            capture_output=True, text=True, timeout=20, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_bash_completes_a_subcommand(tmp_path):
    assert bash_complete(tmp_path, "con") == ["connect"]
    assert set(bash_complete(tmp_path, "")) >= {"connect", "serve", "demo", "completion"}


def test_bash_completes_an_option(tmp_path):
    found = bash_complete(tmp_path, "connect", "--rec")
    assert "--reconnect" in found and "--reconnect-attempts" in found
    assert all(word.startswith("--rec") for word in found)
    assert bash_complete(tmp_path, "completion", "z") == ["zsh"]


@pytest.mark.parametrize("args", [["--help"], ["serve", "--help"], ["completion", "bash"]])
def test_help_and_completion_do_not_import_the_heavy_libraries(args, tmp_path):
    program = ("import sys\n"
               "from siocli.cli import main\n"
               "try:\n"
               "    main(%r, prog_name='siocli')\n"
               "except SystemExit:\n"
               "    pass\n"
               "heavy = sorted(m for m in sys.modules if m.split('.')[0] in %r)\n"
               "sys.stderr.write('HEAVY=%%s\\n' %% ','.join(heavy))\n" % (args, HEAVY))
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                            timeout=20, cwd=ROOT, env=clean_env(tmp_path))
    assert "HEAVY=\n" in result.stderr, result.stderr


def test_answering_a_completion_request_stays_light(tmp_path):
    program = ("import os, sys\n"
               "os.environ.update(COMP_WORDS='siocli connect --rec', COMP_CWORD='2',\n"
               "                  _SIOCLI_COMPLETE='bash_complete')\n"
               "from siocli.cli import main\n"
               "try:\n"
               "    main(prog_name='siocli')\n"
               "except SystemExit:\n"
               "    pass\n"
               "heavy = sorted(m for m in sys.modules if m.split('.')[0] in %r)\n"
               "sys.stderr.write('HEAVY=%%s\\n' %% ','.join(heavy))\n" % (HEAVY,))
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                            timeout=20, cwd=ROOT, env=clean_env(tmp_path))
    assert "plain,--reconnect" in result.stdout
    assert "HEAVY=\n" in result.stderr, result.stderr
