#!/usr/bin/env python3
"""Security properties of `vigil serve`, each checked against the running
binary:

1. With no configuration it listens on loopback only (127.0.0.1:4318), as
   the kernel's socket table shows.
2. With a bearer token configured, every ingest, query and admin endpoint
   refuses requests without it (401), with a wrong one, or with the token as
   a prefix; /healthz, /metrics and the UI stay open.
3. Bodies over max_body_bytes get 413, also when gzip makes a small body
   inflate past the limit (a "zip bomb"); the daemon keeps serving.
4. The UI cannot be made to serve anything but its own compiled-in files:
   dot-dot paths, encoded and double-encoded, absolute paths and NUL bytes
   all get 4xx and never a file's content.
5. No cross-site writes or reads: the JSON APIs refuse text/plain, form and
   multipart bodies (what a page on another origin can send without a CORS
   preflight) with 415; a Host header naming another site (DNS rebinding)
   gets 403 unless it is in allowed_hosts; no CORS header is ever sent.
6. The same from a real browser: a page on another origin, in Chromium,
   can neither write (text/plain fetch, sendBeacon, a form post, a JSON
   fetch) nor read the API.
"""
import argparse
import gzip
import http.client
import json
import os
import subprocess
import sys
import tempfile

from testlib import check, free_port, process, wait_for  # noqa: E402

INTEROP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "interop")

TOKEN = "t0ken-with-entropy-1f9a"


def raw(port, method, path, body=b"", headers=None):
    """One request with the path sent byte for byte (no client normalisation)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        h = dict(headers or {})
        conn.putrequest(method, path, skip_host="Host" in h, skip_accept_encoding=True)
        if body or method == "POST":
            h.setdefault("Content-Length", str(len(body)))
        for k, v in h.items():
            conn.putheader(k, v)
        conn.endheaders()
        if body:
            conn.send(body)
        res = conn.getresponse()
        return res.status, res.read()
    finally:
        conn.close()


def listening_sockets(port):
    """(address, port) pairs in LISTEN state from /proc/net/tcp and tcp6."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        with open(table) as f:
            next(f)
            for line in f:
                cols = line.split()
                addr, port_hex = cols[1].split(":")
                if cols[3] == "0A" and int(port_hex, 16) == port:  # 0A = LISTEN
                    found.append(addr)
    return found


def loopback_by_default(vigil, tmp):
    data = os.path.join(tmp, "default-data")
    with process([vigil, "serve", "--data", data], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                 text=True) as proc:
        line = proc.stdout.readline()
        check("listening on http://127.0.0.1:4318" in line, "no configuration: announces 127.0.0.1:4318", line)
        wait_for("listener", lambda: listening_sockets(4318), timeout=10, interval=0.1)
        addrs = listening_sockets(4318)
        # 0100007F is 127.0.0.1 in /proc's little-endian hex.
        check(addrs == ["0100007F"], "the only listening socket on 4318 is 127.0.0.1", str(addrs))
        wait_for("gRPC listener", lambda: listening_sockets(4317), timeout=10, interval=0.1)
        addrs = listening_sockets(4317)
        # gRPC listens on an IPv6 socket bound to the IPv4-mapped ::ffff:127.0.0.1: still loopback only.
        mapped = "0000000000000000FFFF00000100007F"
        check(len(addrs) == 1 and addrs[0] in ("0100007F", mapped),
              "the only listening socket on 4317 (OTLP/gRPC) is 127.0.0.1", str(addrs))


def token_everywhere(vigil, tmp):
    port = free_port()
    config = os.path.join(tmp, "secure.yaml")
    with open(config, "w") as f:
        f.write(f"auth_token: {TOKEN}\nmax_body_bytes: 64KiB\n")
    with process([vigil, "serve", "--config", config, "--data", os.path.join(tmp, "secure-data"),
                  "--listen", f"127.0.0.1:{port}", "--grpc-listen", "127.0.0.1:0"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT) as proc:
        wait_for("daemon", lambda: raw(port, "GET", "/healthz")[0] == 200, timeout=20, interval=0.1)
        guarded = [
            ("POST", "/v1/traces", b"{}", "application/json"),
            ("POST", "/v1/logs", b"{}", "application/json"),
            ("POST", "/api/v1/predictions", b'{"model":"m"}', "application/json"),
            ("POST", "/api/v1/labels", b'{"model":"m","request_id":"r","label":1}', "application/json"),
            ("POST", "/api/v1/admin/flush", b"", "application/json"),
            ("POST", "/api/v1/admin/evaluate", b"", "application/json"),
            ("GET", "/api/v1/status", b"", None),
            ("GET", "/api/v1/logs?query=", b"", None),
            ("GET", "/api/v1/traces", b"", None),
            ("GET", "/api/v1/alerts", b"", None),
        ]
        for method, path, body, ctype in guarded:
            h = {"Content-Type": ctype} if ctype else {}
            for name, auth in [("no token", None), ("wrong token", "Bearer nope"),
                               ("token prefix", "Bearer " + TOKEN[:-1]), ("token plus suffix", "Bearer " + TOKEN + "x"),
                               ("basic scheme", "Basic " + TOKEN)]:
                hh = dict(h)
                if auth:
                    hh["Authorization"] = auth
                status, _ = raw(port, method, path, body, hh)
                if status != 401:
                    check(False, f"{method} {path} with {name}: 401", f"got {status}")
            status, _ = raw(port, method, path, body, dict(h, Authorization="Bearer " + TOKEN))
            check(status != 401, f"{method} {path}: 401 without the right token, accepted with it ({status})")
        for path in ("/healthz", "/metrics", "/ui/"):
            check(raw(port, "GET", path)[0] == 200, f"GET {path} needs no token")

        # Size limits, plain and inflated.
        auth = {"Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"}
        status, body = raw(port, "POST", "/v1/logs", b"{" + b" " * (128 * 1024) + b"}", auth)
        check(status == 413, "a 128 KiB body over a 64 KiB limit: 413", f"{status} {body[:200]}")
        bomb = gzip.compress(b" " * (64 * 1024 * 1024), 9)  # 64 KiB of gzip inflating to 64 MiB
        check(len(bomb) < 64 * 1024, f"the gzip bomb itself is under the limit ({len(bomb)} bytes)")
        status, body = raw(port, "POST", "/v1/logs", bomb, dict(auth, **{"Content-Encoding": "gzip"}))
        check(400 <= status < 500, f"a gzip body inflating past the limit: 4xx ({status})", body[:200])
        rss = 0
        with open(f"/proc/{proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    rss = int(line.split()[1]) // 1024
        check(rss < 200, f"the daemon's peak RSS stayed small ({rss} MB): the bomb was not inflated whole")
        check(raw(port, "GET", "/healthz")[0] == 200, "the daemon still serves after the oversized bodies")


def ui_no_traversal(vigil, tmp):
    port = free_port()
    secret_dir = os.path.join(tmp, "ui-secret")
    os.makedirs(secret_dir)
    with open(os.path.join(secret_dir, "secret.txt"), "w") as f:
        f.write("TOP-SECRET-CONTENT\n")
    with process([vigil, "serve", "--data", os.path.join(tmp, "ui-data"), "--listen", f"127.0.0.1:{port}", "--grpc-listen", "127.0.0.1:0"],
                 stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, cwd=secret_dir):
        wait_for("daemon", lambda: raw(port, "GET", "/healthz")[0] == 200, timeout=20, interval=0.1)
        status, index = raw(port, "GET", "/ui/index.html")
        check(status == 200 and b"<html" in index.lower(), "GET /ui/index.html serves the UI")
        attempts = [
            "/ui/../../../../etc/passwd",
            "/ui/..%2f..%2f..%2f..%2fetc%2fpasswd",
            "/ui/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
            "/ui/%252e%252e/%252e%252e/etc/passwd",
            "/ui/....//....//etc/passwd",
            "/ui//etc/passwd",
            "/ui/%2fetc%2fpasswd",
            "/ui/index.html/../../../../etc/passwd",
            "/ui/..\\..\\..\\etc\\passwd",
            "/ui/secret.txt",
            "/ui/../secret.txt",
            "/ui/%2e%2e/secret.txt",
            "/ui/index.html%00.js",
            "/../../../../etc/passwd",
            "/ui/app.js/..%00/../../etc/passwd",
        ]
        for path in attempts:
            status, body = raw(port, "GET", path)
            leaked = b"root:" in body or b"TOP-SECRET" in body
            check(400 <= status < 500 and not leaked, f"GET {path}: {status}, no file content")


def cross_site(vigil, tmp):
    port = free_port()
    config = os.path.join(tmp, "hosts.yaml")
    with open(config, "w") as f:
        f.write("allowed_hosts: [vigil.internal]\n")
    with process([vigil, "serve", "--config", config, "--data", os.path.join(tmp, "csrf-data"),
                  "--listen", f"127.0.0.1:{port}", "--grpc-listen", "127.0.0.1:0"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT):
        wait_for("daemon", lambda: raw(port, "GET", "/healthz")[0] == 200, timeout=20, interval=0.1)
        prediction = b'{"model":"m","prediction":1}'
        for path in ("/api/v1/predictions", "/api/v1/labels", "/api/v1/admin/flush", "/api/v1/admin/evaluate"):
            for kind in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"):
                status, body = raw(port, "POST", path, prediction, {"Content-Type": kind})
                check(status == 415, f"POST {path} as {kind}: 415", f"{status} {body[:200]}")
        check(raw(port, "POST", "/api/v1/predictions", prediction, {"Content-Type": "application/json"})[0] == 200,
              "the same prediction as application/json: 200")
        for host in ("evil.example", "evil.example:80", "127.0.0.1.evil.example"):
            status, body = raw(port, "GET", "/api/v1/traces", headers={"Host": host})
            check(status == 403 and b"allowed_hosts" in body, f"GET with Host {host}: 403", f"{status} {body[:200]}")
            status, _ = raw(port, "POST", "/api/v1/predictions", prediction,
                            {"Host": host, "Content-Type": "application/json"})
            check(status == 403, f"POST with Host {host}: 403")
        check(raw(port, "GET", "/api/v1/traces", headers={"Host": "vigil.internal:80"})[0] == 200,
              "a name in allowed_hosts is served")
        check(raw(port, "GET", "/metrics", headers={"Host": "vigil.monitoring.svc:4318"})[0] == 200,
              "/metrics answers any Host (scrapers use service names; it holds no personal data)")
        check(raw(port, "GET", "/api/v1/traces", headers={"Host": f"localhost:{port}"})[0] == 200,
              "localhost is served")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/api/v1/traces", headers={"Origin": "http://evil.example"})
        res = conn.getresponse()
        res.read()
        check(not any(k.lower().startswith("access-control-") for k, _ in res.getheaders()),
              "no CORS headers, whatever the Origin", str(res.getheaders()))
        conn.close()


def browser_cross_origin(vigil, tmp):
    """A page on another origin in Chromium cannot write to or read the daemon."""
    port, page_port = free_port(), free_port()
    site = os.path.join(tmp, "evil-site")
    os.makedirs(site, exist_ok=True)
    with open(os.path.join(site, "index.html"), "w") as f:
        f.write("<!doctype html><title>another site</title>")
    with process([vigil, "serve", "--data", os.path.join(tmp, "browser-data"), "--listen", f"127.0.0.1:{port}",
                  "--grpc-listen", "off"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT), \
            process([sys.executable, "-m", "http.server", str(page_port), "--bind", "127.0.0.1", "--directory", site],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
        wait_for("daemon", lambda: raw(port, "GET", "/healthz")[0] == 200, timeout=20, interval=0.1)
        wait_for("the other site", lambda: raw(page_port, "GET", "/index.html")[0] == 200, timeout=20, interval=0.1)
        # localhost:P and 127.0.0.1:Q: another host and port, so another origin.
        out = subprocess.run(["node", os.path.join(INTEROP, "cross_origin_test.js"), f"http://127.0.0.1:{port}",
                              f"http://localhost:{page_port}/index.html"], capture_output=True, text=True, timeout=120)
        check(out.returncode == 0, "Chromium ran the other origin's page", out.stderr[-2000:])
        seen = json.loads(out.stdout.strip().splitlines()[-1])
        print(json.dumps(seen))
        check(seen["text_plain_post"].get("type") == "opaque", "a text/plain post leaves the page with nothing to read")
        check("blocked" in seen["json_post"], "a JSON post is stopped by the browser (no CORS preflight allowed)")
        check("blocked" in seen["read_traces"] and "blocked" in seen["read_logs"],
              "reads of traces and logs are blocked (no CORS headers)")
        check(seen["form_post_status"] == 415, f"a form post is answered 415 ({seen['form_post_status']})")
        control = b'{"model":"control","prediction":1}'
        check(raw(port, "POST", "/api/v1/predictions", control, {"Content-Type": "application/json"})[0] == 200,
              "a real API client's prediction is accepted (the control)")
        _, body = raw(port, "GET", "/api/v1/models")
        models = [m["model"] for m in json.loads(body)["models"]]
        check("control" in models and not any(m.startswith("csrf") for m in models),
              "only the control's model is recorded: nothing from the other origin", str(models))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigil", required=True)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        loopback_by_default(args.vigil, tmp)
        token_everywhere(args.vigil, tmp)
        ui_no_traversal(args.vigil, tmp)
        cross_site(args.vigil, tmp)
        browser_cross_origin(args.vigil, tmp)
    print("security checks passed")


if __name__ == "__main__":
    sys.exit(main())
