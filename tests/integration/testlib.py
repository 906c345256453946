"""Helpers for integration tests: free ports, processes that are always
cleaned up, HTTP on loopback, waiting with a deadline."""
import contextlib
import json
import socket
import subprocess
import time
import urllib.parse
import urllib.request


def check(cond, message, detail=""):
    """A named assertion that prints its name when it holds."""
    if not cond:
        raise AssertionError(f"{message}\n{detail}" if detail else message)
    print("ok -", message)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def process(args, **kwargs):
    proc = subprocess.Popen(args, **kwargs)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def http_get(url, headers=None, timeout=5):
    req = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(req, timeout=timeout) as res:
        return res.status, dict(res.headers), res.read()


def wait_for(what, fn, timeout=60, interval=0.5):
    """Calls fn until it returns a truthy value; fails after `timeout` s."""
    deadline = time.time() + timeout
    last_error = None
    while time.time() < deadline:
        try:
            value = fn()
            if value:
                return value
        except Exception as e:  # not ready yet
            last_error = e
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what} (last error: {last_error})")


class Prometheus:
    """A real Prometheus (Debian package) on a private loopback port."""

    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"

    def query(self, expr):
        url = self.base + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
        _, _, body = http_get(url)
        data = json.loads(body)
        assert data["status"] == "success", data
        return data["data"]["result"]

    def scalar(self, expr):
        result = self.query(expr)
        if not result:
            return None
        return float(result[0]["value"][1])

    def get_json(self, path, **params):
        _, _, body = http_get(self.base + path + "?" + urllib.parse.urlencode(params))
        return json.loads(body)
