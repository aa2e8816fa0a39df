"""The one compiled part of mindshare: `mindshare.scan._native`, hyperscan's C API driven from C.

It needs libhs and its headers (Debian/Ubuntu: libhyperscan-dev on x86-64, libvectorscan-dev elsewhere;
`scripts/ensure-system-packages build` installs one where it may). Without them the build of this one extension
is skipped with a warning and mindshare matches through the hyperscan Python binding instead: same counts,
slower (see docs/scan.md). Everything else lives in pyproject.toml.
"""

from __future__ import annotations

import shlex
import subprocess

from setuptools import Extension, setup


def libhs_flags() -> tuple[list[str], list[str], list[str]]:
    """Include dirs, library dirs and libraries of libhs, from pkg-config when it knows them."""
    try:
        cflags = subprocess.run(["pkg-config", "--cflags", "libhs"], capture_output=True, text=True, check=True)
        libs = subprocess.run(["pkg-config", "--libs", "libhs"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return ["/usr/include/hs", "/usr/local/include/hs"], [], ["hs"]
    includes = [f[2:] for f in shlex.split(cflags.stdout) if f.startswith("-I")]
    library_dirs = [f[2:] for f in shlex.split(libs.stdout) if f.startswith("-L")]
    libraries = [f[2:] for f in shlex.split(libs.stdout) if f.startswith("-l")] or ["hs"]
    return includes, library_dirs, libraries


includes, library_dirs, libraries = libhs_flags()
setup(
    ext_modules=[Extension(
        "mindshare.scan._native",
        sources=["src/mindshare/scan/_native.c"],
        include_dirs=includes,
        library_dirs=library_dirs,
        libraries=libraries,
        extra_compile_args=["-O2", "-std=c11"],
        optional=True,  # a failed compile or link is a warning, not a failed install
    )],
)
