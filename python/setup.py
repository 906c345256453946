"""Builds the vigil wheel: the C++ core and its bindings (vigil._vigil) by
the project's CMake, and the pure-Python package beside it.

    pip wheel --no-build-isolation --no-deps python/ -w dist/
    python3 -m venv --system-site-packages venv && venv/bin/pip install --no-index dist/vigil-*.whl

VIGIL_CMAKE_BUILD_DIR reuses an existing CMake build directory (then only
what changed is rebuilt); by default a fresh one is configured under
build_temp with only the library and the module.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent.parent


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build_dir = Path(os.environ.get("VIGIL_CMAKE_BUILD_DIR") or Path(self.build_temp).resolve() / "cmake")
        if not (build_dir / "CMakeCache.txt").exists():
            subprocess.check_call([
                "cmake", "-S", str(ROOT), "-B", str(build_dir), "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
                "-DVIGIL_BUILD_TESTS=OFF", "-DVIGIL_BUILD_BENCH=OFF", "-DVIGIL_BUILD_EXAMPLES=OFF",
                "-DVIGIL_BUILD_DAEMON=OFF", "-DPython_EXECUTABLE=" + sys.executable])
        subprocess.check_call(["cmake", "--build", str(build_dir), "--target", "vigil_python", "--parallel",
                               str(os.cpu_count() or 2)])
        built = next((build_dir / "python" / "vigil").glob("_vigil*.so"))
        target = Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(built, target)


setup(
    name="vigil",
    version="0.1.0",
    description="Metrics, traces, logs, model monitoring and SLOs for ML inference services, on a C++ core",
    packages=["vigil"],
    ext_modules=[Extension("vigil._vigil", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
    python_requires=">=3.9",
    install_requires=["numpy"],
    extras_require={"pandas": ["pandas"], "structlog": ["structlog"]},
    zip_safe=False,
)
