"""environment.yml (conda-forge) and pyproject.toml name the same packages; the lock pins them all."""

import re
import tomllib

import yaml

from innocap_analysis import config

_NAME = re.compile(r"^\s*([A-Za-z0-9_.\-]+)")
_NOT_PACKAGES = {"python", "pip", "-e"}


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", _NAME.match(requirement).group(1)).lower()


def _pyproject():
    return tomllib.loads((config.PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _pyproject_names() -> set[str]:
    project = _pyproject()["project"]
    names = {_name(r) for r in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        names |= {_name(r) for r in extra}
    return names


def _environment_names() -> set[str]:
    env = yaml.safe_load((config.PROJECT_ROOT / "environment.yml").read_text(encoding="utf-8"))
    names = set()
    for dep in env["dependencies"]:
        entries = dep["pip"] if isinstance(dep, dict) else [dep]
        for entry in entries:
            if entry.startswith("-e"):
                continue
            names.add(_name(entry))
    return names - _NOT_PACKAGES


def test_environment_yml_names_the_same_packages_as_pyproject():
    pyproject, conda = _pyproject_names(), _environment_names()
    assert pyproject - conda == set(), f"in pyproject.toml but not environment.yml: {sorted(pyproject - conda)}"
    assert conda - pyproject == set(), f"in environment.yml but not pyproject.toml: {sorted(conda - pyproject)}"


def test_lock_file_pins_every_declared_package_at_or_above_its_lower_bound():
    from packaging.requirements import Requirement
    from packaging.version import Version

    locked = {}
    for line in (config.PROJECT_ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            locked[_name(name)] = Version(version.strip())
    project = _pyproject()["project"]
    requirements = [*project["dependencies"], *(r for extra in project["optional-dependencies"].values() for r in extra)]
    for text in requirements:
        req = Requirement(text)
        name = _name(req.name)
        assert name in locked, f"{name} is declared in pyproject.toml but not pinned in requirements.lock"
        assert req.specifier.contains(locked[name]), f"{name}=={locked[name]} does not satisfy {req.specifier}"
