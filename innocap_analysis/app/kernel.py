"""The project's named Jupyter kernel, "innocap (project .venv)", and how the build talks to it.

The notebooks name this kernel in their metadata; ``make lab``, ``innocap build``, nbval
(``make test``) and the papermill test all run it, so every run of a notebook uses the same
interpreter: the one this package is installed in. :func:`ensure_kernel` registers it (a
kernelspec under ``<sys.prefix>/share/jupyter/kernels/innocap``, pointing at ``sys.executable``,
with the reproducible environment of :func:`innocap_analysis.config.reproducible_environment`).

The build connects to its kernels over IPC (Unix domain sockets) where the platform has them:
over TCP the kernel warns at start-up that its traffic is not encrypted, which would fill the
build log with one warning per notebook.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ipykernel.kernelspec import install as install_kernelspec
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from traitlets.config import Config

from .. import config

KERNEL_NAME = "innocap"
KERNEL_DISPLAY_NAME = "innocap (project .venv)"
#: The kernelspec block stored in every notebook's metadata.
KERNELSPEC = {"display_name": KERNEL_DISPLAY_NAME, "language": "python", "name": KERNEL_NAME}


def kernel_transport() -> str:
    """``ipc`` where Unix domain sockets exist (Linux, macOS), else ``tcp`` (Windows)."""
    return "ipc" if os.name == "posix" else "tcp"


def kernel_config(socket_dir: str | os.PathLike[str]) -> Config:
    """traitlets configuration for a kernel manager: the transport of :func:`kernel_transport`.

    Over IPC the kernel's sockets are files named after ``ip``; by default that is a relative name,
    which the kernel (started in the notebook's folder) and the client (in the caller's folder) would
    resolve differently. They are put in ``socket_dir`` instead, an absolute folder the caller owns
    (and removes), for example the build's temporary folder of the notebook.
    """
    transport = kernel_transport()
    settings: dict[str, str] = {"transport": transport}
    if transport == "ipc":
        settings["ip"] = str(Path(socket_dir).resolve() / "kernel")
    return Config({"KernelManager": settings})


def _registered_spec() -> dict | None:
    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    except NoSuchKernel:
        return None
    return {"argv": spec.argv, "display_name": spec.display_name, "env": spec.env, "dir": spec.resource_dir}


def ensure_kernel(*, force: bool = False) -> Path:
    """Register the named kernel for this interpreter, unless it already is; returns its folder.

    The kernelspec goes under ``sys.prefix`` (the project's ``.venv``), or the user's Jupyter
    folder when ``sys.prefix`` is not writable. A spec that points at another interpreter, carries
    another display name or environment is rewritten.
    """
    env = config.reproducible_environment()
    current = _registered_spec()
    if (not force and current is not None and current["argv"] and current["argv"][0] == sys.executable
            and current["display_name"] == KERNEL_DISPLAY_NAME and current["env"] == env):
        return Path(current["dir"])
    try:
        where = install_kernelspec(kernel_name=KERNEL_NAME, display_name=KERNEL_DISPLAY_NAME, prefix=sys.prefix,
                                   env=env)
    except PermissionError:
        where = install_kernelspec(kernel_name=KERNEL_NAME, display_name=KERNEL_DISPLAY_NAME, user=True, env=env)
    return Path(where)
