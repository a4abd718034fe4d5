"""What a user installs: `siocli --version`, the wheel and sdist `python -m build` makes
(checked by `twine check`, carrying completions/), and `pipx install` of that wheel
followed by `siocli demo`.

The build and pipx tests need the `build`, `twine` and `pipx` packages (the `test` extra
has them) and a package index for the build's own setuptools: without the packages they
are skipped with the reason (under CI=true they fail instead).
"""

import importlib.metadata
import importlib.util
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from siocli_run import ROOT, heavy_imports, run_siocli, siocli_env

COMPLETIONS = ("siocli.bash", "siocli.zsh", "siocli.fish")
# what a copy of the source tree leaves out: the build works from what git would hold
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "node_modules", "build", "dist",
                                    "*.egg-info", "__pycache__", ".pytest_cache",
                                    ".hypothesis", "tests", "benchmarks")


def require_modules(*names):
    missing = [name for name in names if importlib.util.find_spec(name) is None]
    if not missing:
        return
    reason = "%s not installed (pip install '.[test]' installs it)" % " and ".join(missing)
    if os.environ.get("CI") == "true":
        pytest.fail("packaging tools unavailable under CI: " + reason, pytrace=False)
    pytest.skip(reason)


def test_version_names_siocli_its_libraries_and_python(tmp_path):
    result = run_siocli(tmp_path, "--version")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    from siocli import __version__

    assert lines[0] == "siocli %s" % __version__
    for line, package in zip(lines[1:4], ("python-socketio", "python-engineio", "aiohttp"),
                             strict=True):
        assert line == "%s %s" % (package, importlib.metadata.version(package))
    assert lines[4] == "Python %d.%d.%d" % sys.version_info[:3]
    assert len(lines) == 5


def test_version_imports_none_of_the_libraries_it_names(tmp_path):
    result, heavy = heavy_imports(tmp_path, ["--version"])
    assert "python-socketio" in result.stdout
    assert heavy == [], result.stderr


@pytest.fixture(scope="module")
def distributions(tmp_path_factory):
    """The wheel and the sdist `python -m build` makes from a copy of the source tree."""
    require_modules("build", "twine")
    base = tmp_path_factory.mktemp("dist")
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    out = base / "out"
    result = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(source)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "deprecated" not in (result.stdout + result.stderr).lower(), result.stdout
    wheels, sdists = list(out.glob("*.whl")), list(out.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, list(out.iterdir())
    return wheels[0], sdists[0]


def test_wheel_carries_the_package_the_command_and_the_completions(distributions):
    wheel, _ = distributions
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        info = next(name for name in names if name.endswith(".dist-info/METADATA"))
        metadata = archive.read(info).decode()
        entry_points = archive.read(info.replace("METADATA", "entry_points.txt")).decode()
    assert {"siocli/cli.py", "siocli/client/session.py", "siocli/output/writer.py"} <= names
    data = {name.split(".data/data/", 1)[1] for name in names if ".data/data/" in name}
    assert data == {"share/siocli/completions/" + name for name in COMPLETIONS}
    assert "siocli = siocli.cli:main" in entry_points
    requirements = [line for line in metadata.splitlines() if line.startswith("Requires-Dist")]
    assert any("python-socketio" in line for line in requirements)
    assert not any("[" in line.split(";")[0] for line in requirements), requirements


def test_sdist_carries_the_sources_the_completions_and_the_docs(distributions):
    _, sdist = distributions
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"pyproject.toml", "README.md", "siocli/cli.py", "docs/reference.md"} <= names
    assert {"completions/" + name for name in COMPLETIONS} <= names
    for name in COMPLETIONS:  # the same scripts as in the repository
        with tarfile.open(sdist) as archive:
            member = next(m for m in archive.getmembers() if m.name.endswith("/completions/"
                                                                                + name))
            assert archive.extractfile(member).read() == (Path(ROOT) / "completions"
                                                          / name).read_bytes()


def test_twine_accepts_both(distributions):
    result = subprocess.run([sys.executable, "-m", "twine", "check", "--strict",
                             *map(str, distributions)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASSED") == 2, result.stdout


def test_pipx_install_then_demo_without_a_warning(distributions, tmp_path):
    require_modules("pipx")
    wheel, _ = distributions
    pipx_env = dict(os.environ, PIPX_HOME=str(tmp_path / "pipx"),
                    PIPX_BIN_DIR=str(tmp_path / "bin"), PIPX_MAN_DIR=str(tmp_path / "man"))
    installed = subprocess.run([sys.executable, "-m", "pipx", "install", str(wheel)],
                               capture_output=True, text=True, timeout=300, env=pipx_env)
    output = installed.stdout + installed.stderr
    assert installed.returncode == 0, output
    assert "WARNING" not in output, output
    program = tmp_path / "bin" / "siocli"
    env = {key: value for key, value in siocli_env(tmp_path).items() if key != "PYTHONPATH"}
    demo = subprocess.run([str(program), "demo"], input='call echo {"a": 1}\n',
                          capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path)
    assert demo.returncode == 0, demo.stderr
    assert demo.stderr == ""
    assert any(line.startswith(tuple("0123456789")) and "  ack  /  echo  {\"a\": 1}" in line
               for line in demo.stdout.splitlines()), demo.stdout
