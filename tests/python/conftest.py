"""pytest setup for the Python package tests: run by ctest with Debian's
/usr/bin/python3 and PYTHONPATH=<build>/python (see tests/CMakeLists.txt)."""
import os

import pytest


@pytest.fixture(scope="session")
def vigil_bin():
    path = os.environ.get("VIGIL_BIN")
    if not path or not os.path.exists(path):
        pytest.skip("VIGIL_BIN (the vigil binary) is not set")
    return path


@pytest.fixture
def registry():
    from vigil.prometheus_client import CollectorRegistry

    return CollectorRegistry()
