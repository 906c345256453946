"""Helpers for integration tests: free ports, processes that are always
cleaned up, HTTP on loopback, waiting with a deadline."""
import atexit
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request


def check(cond, message, detail=""):
    """A named assertion that prints its name when it holds."""
    if not cond:
        raise AssertionError(f"{message}\n{detail}" if detail else message)
    print("ok -", message)


def rss_mb(pid):
    """A process's resident memory in MB (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


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


def http_post(url, body, content_type="application/json", timeout=60):
    """POST; returns (status, headers, body) for every status, errors included."""
    req = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as res:
            return res.status, dict(res.headers), res.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def metric(text, name, labels=""):
    """The value of one sample in Prometheus text (0 when absent)."""
    m = re.search(r"^" + re.escape(name + labels) + r" ([0-9.e+]+)$", text, re.M)
    return float(m.group(1)) if m else 0.0


def promtool_check(url):
    """`promtool check metrics` on a scrape of `url`: no error, no lint finding."""
    _, _, body = http_get(url)
    res = subprocess.run(["promtool", "check", "metrics"], input=body, capture_output=True)
    out = (res.stdout + res.stderr).decode().strip()
    check(res.returncode == 0 and out == "", f"promtool check metrics clean for {url}: {out!r}")


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


def vigil_main(run):
    """The shared main() of the daemon tests: --vigil, a temporary directory,
    run(vigil, tmp), exit status 0 when it returns."""
    import argparse
    import tempfile
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigil", required=True)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run(args.vigil, tmp)
    return 0


def start_daemon(vigil, tmp, token=None, config=""):
    """`vigil serve` on data in tmp, with `auth_token: token` and any more
    YAML `config`."""
    path = os.path.join(tmp, "vigil.yaml")
    with open(path, "w") as f:
        f.write((f"auth_token: {token}\n" if token else "") + config)
    return Daemon(vigil, os.path.join(tmp, "data"), path).start()


def run_otel_client(d, token, protocol="protobuf"):
    """tests/interop/otel_client.js against the daemon: one traced request
    with log records from the OpenTelemetry JS SDK; returns its ids."""
    client = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "interop", "otel_client.js")
    out = subprocess.run(["node", client, d.base, protocol, token], capture_output=True, text=True, timeout=60)
    check(out.returncode == 0, "the OpenTelemetry JS SDK exported its trace and logs", out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


class Daemon:
    """`vigil serve` with a config and data directory on a private loopback
    port; stop() sends a signal and returns (exit code, output)."""

    def __init__(self, vigil, data, config, port=None, prefix=()):
        self.vigil, self.data, self.config = vigil, data, config
        self.prefix = list(prefix)  # e.g. ["taskset", "-c", "0"]
        self.port = port or free_port()
        self.grpc_port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(self.prefix + [self.vigil, "serve", "--config", self.config, "--data", self.data,
                                      "--listen", f"127.0.0.1:{self.port}",
                                      "--grpc-listen", f"127.0.0.1:{self.grpc_port}"],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        # A failed check exits the test early: never leave the daemon running.
        atexit.register(self._reap, self.proc)
        wait_for("daemon", lambda: http_get(self.base + "/healthz")[0] == 200, timeout=20, interval=0.1)
        return self

    @staticmethod
    def _reap(proc):
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    def get(self, path):
        return http_get(self.base + path, timeout=30)[2].decode()

    def flush(self, token=None):
        """Closes due windows and commits everything queued (POST /api/v1/admin/flush)."""
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        req = urllib.request.Request(self.base + "/api/v1/admin/flush", data=b"", method="POST", headers=headers)
        urllib.request.urlopen(req, timeout=30).read()

    def get_json(self, path, token=None, **params):
        """(status, body as JSON or text) of a GET with optional bearer token."""
        url = self.base + path + ("?" + urllib.parse.urlencode(params, doseq=True) if params else "")
        req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
        try:
            with urllib.request.urlopen(req, timeout=60) as res:
                status, body = res.status, res.read()
        except urllib.error.HTTPError as e:
            status, body = e.code, e.read()
        try:
            return status, json.loads(body)
        except ValueError:
            return status, body.decode(errors="replace")

    def stop(self, sig=signal.SIGTERM, timeout=30):
        self.proc.send_signal(sig)
        out, _ = self.proc.communicate(timeout=timeout)
        return self.proc.returncode, out
