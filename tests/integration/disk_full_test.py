#!/usr/bin/env python3
"""The store's disk fills while spans arrive, then space comes back.

A tmpfs made by the test holds the store and a filler file that leaves
little room. OTLP/JSON spans are sent until the store cannot commit:
1. every request answered 200 is stored; the rest get 503 + Retry-After;
2. while failing: /readyz answers 503 (/healthz stays 200),
   vigil_store_write_errors_total{reason="disk_full"} counts the failed
   commits, vigil_store_write_failing is 1 and StoreWriteFailing fires;
3. the filler is deleted: refused batches, retried as an exporter would,
   are accepted, /readyz is 200 again, the alert resolves; among the
   clients is the real OpenTelemetry JS exporter, refused while the disk
   is full: its own retry, after Retry-After, delivers its batch;
4. after a restart the store holds exactly the spans answered 200;
5. with store.acknowledge: committed, a daemon killed with SIGKILL in the
   middle of a disk-full episode loses nothing it answered 200 for;
6. with committed too, the store's file system turns read-only under the
   daemon (an ext4 image forced read-only, as a failing disk is): nothing
   answered 200 is lost, though the file system itself never wrote the
   page cache back (committed means fsynced).
Needs root to mount the tmpfs; where it cannot be mounted, it says so and
is skipped (exit 77).
"""
import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error

from testlib import Daemon, check, http_get, http_post, metric, wait_for

SPANS_PER_REQUEST = 200
SKIP = 77
JS_SPANS = 50
RETRY_CLIENT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "interop", "otel_retry_client.js")
REFUSED_TRACES = 'vigil_http_requests_total{route="/v1/traces",code="503"}'


def spans_body(now_ns):
    trace = secrets.token_hex(16)
    spans = [{"traceId": trace, "spanId": secrets.token_hex(8), "name": "predict",
              "startTimeUnixNano": str(now_ns + i), "endTimeUnixNano": str(now_ns + i + 1000),
              "attributes": [{"key": "payload", "value": {"stringValue": "x" * 200}}]}
             for i in range(SPANS_PER_REQUEST)]
    return json.dumps({"resourceSpans": [{"resource": {"attributes": [
        {"key": "service.name", "value": {"stringValue": "filler"}}]}, "scopeSpans": [{"spans": spans}]}]}).encode()


def post(base, path, body):
    status, headers, _ = http_post(base + path, body, timeout=30)
    return status, headers


def status_of(url):
    try:
        return http_get(url)[0]
    except urllib.error.HTTPError as e:
        return e.code


def alert_state(d, name):
    post(d.base, "/api/v1/admin/evaluate", b"")
    for a in json.loads(d.get("/api/v1/alerts"))["alerts"]:
        if a["name"] == name:
            return a["state"]
    return None


def fill_until_refused(d):
    """Sends batches until the store refuses; returns (accepted, refused bodies)."""
    accepted, refused = 0, []
    deadline = time.time() + 120
    while time.time() < deadline and len(refused) < 20:
        body = spans_body(time.time_ns())
        code, headers = post(d.base, "/v1/traces", body)
        if code == 200:
            accepted += SPANS_PER_REQUEST
            continue
        if not refused:
            check(code == 503 and headers.get("Retry-After"), "a refused batch gets 503 with Retry-After", code)
        refused.append(body)
        time.sleep(0.05)
    return accepted, refused


def run(vigil, mnt):
    data = os.path.join(mnt, "data")
    filler = os.path.join(mnt, "filler")
    with open(filler, "wb") as f:  # leave ~3 MB for the store
        f.write(b"\0" * (13 * 1024 * 1024))
    config = os.path.join(mnt, "..", "vigil.yaml")
    with open(config, "w") as f:
        f.write("alert_interval: 1s\n")
    d = Daemon(vigil, data, config).start()
    accepted, refused = fill_until_refused(d)
    check(refused, f"the full disk refused batches ({accepted} spans accepted first)")
    text = d.get("/metrics")
    check(metric(text, 'vigil_store_write_errors_total{reason="disk_full"}') > 0, "failed commits counted as disk_full",
          "\n".join(l for l in text.splitlines() if "vigil_store_write" in l))
    check(metric(text, "vigil_store_write_failing") == 1, "vigil_store_write_failing is 1")
    check(status_of(d.base + "/readyz") == 503 and status_of(d.base + "/healthz") == 200,
          "/readyz says not ready, /healthz alive")
    check(alert_state(d, "StoreWriteFailing") == "firing", "StoreWriteFailing fires")

    before = metric(d.get("/metrics"), REFUSED_TRACES)
    js = subprocess.Popen(["node", RETRY_CLIENT, d.base, "js-exporter", str(JS_SPANS)], stdout=subprocess.PIPE, text=True)
    wait_for("the JS exporter refused with 503", lambda: metric(d.get("/metrics"), REFUSED_TRACES) > before,
             timeout=20, interval=0.2)
    os.remove(filler)
    for body in refused:  # what an OTLP exporter does with a 503: send it again
        wait_for("a retried batch accepted", lambda: post(d.base, "/v1/traces", body)[0] == 200, timeout=60)
        accepted += SPANS_PER_REQUEST
    check(True, f"after space came back, all {len(refused)} refused batches were accepted on retry")
    out = json.loads(js.communicate(timeout=120)[0].strip().splitlines()[-1])
    check(out["result"] == 0, f"the OpenTelemetry JS exporter's refused batch arrived on its own retry ({out['ms']} ms)",
          json.dumps(out))
    accepted += out["spans"]
    check(status_of(d.base + "/readyz") == 200, "/readyz ready again")
    check(post(d.base, "/api/v1/admin/flush", b"")[0] == 200, "flush commits everything")
    trace = json.loads(d.get(f"/api/v1/traces/{out['trace_id']}"))
    check(len(trace["spans"]) == JS_SPANS, f"the JS exporter's trace is stored whole ({len(trace['spans'])} spans)")
    check(metric(d.get("/metrics"), "vigil_store_write_failing") == 0, "vigil_store_write_failing back to 0")
    check(alert_state(d, "StoreWriteFailing") in ("resolved", "inactive"), "StoreWriteFailing resolves")
    code, out = d.stop()
    check(code == 0, "the daemon stops cleanly", out[-2000:])

    d = Daemon(vigil, data, config).start()
    stored = json.loads(d.get("/api/v1/status"))["spans"]
    d.stop()
    check(stored == accepted, f"every span answered 200 is stored after a restart ({stored} of {accepted})")


def killed_while_full(vigil, mnt, tmp):
    data = os.path.join(mnt, "data-committed")
    filler = os.path.join(mnt, "filler")
    free = os.statvfs(mnt)
    with open(filler, "wb") as f:  # leave ~3 MB again
        f.write(b"\0" * max(0, free.f_bavail * free.f_frsize - 3 * 1024 * 1024))
    config = os.path.join(tmp, "committed.yaml")
    with open(config, "w") as f:
        f.write("store: {acknowledge: committed}\n")
    d = Daemon(vigil, data, config).start()
    accepted, refused = fill_until_refused(d)
    check(refused, f"acknowledge committed: the full disk refused batches ({accepted} spans accepted first)")
    d.proc.send_signal(signal.SIGKILL)
    d.proc.wait()
    os.remove(filler)
    d = Daemon(vigil, data, config).start()
    stored = json.loads(d.get("/api/v1/status"))["spans"]
    d.stop()
    check(stored == accepted, f"SIGKILL during the episode: every span answered 200 is stored ({stored} of {accepted})")


def read_only_episode(vigil, tmp):
    """The store's file system turns read-only under the daemon (ext4 with
    errors=remount-ro, forced with `mount -o remount,abort`, as a failing
    disk does): refused from then on, nothing answered 200 lost, and after
    fsck and a remount the store opens with every accepted span."""
    img, mnt = os.path.join(tmp, "ext4.img"), os.path.join(tmp, "ext4")
    os.makedirs(mnt)
    subprocess.run(["truncate", "-s", "64M", img], check=True)
    subprocess.run(["mkfs.ext4", "-q", "-F", img], check=True)
    if subprocess.run(["mount", "-o", "loop,errors=remount-ro", img, mnt], capture_output=True).returncode != 0:
        print("skipped: cannot loop-mount an ext4 image here; the read-only episode needs root and loop devices")
        return
    try:
        data = os.path.join(mnt, "data")
        config = os.path.join(tmp, "ro.yaml")
        with open(config, "w") as f:
            f.write("alert_interval: 1s\nstore: {acknowledge: committed}\n")
        d = Daemon(vigil, data, config).start()
        accepted = 0
        for _ in range(5):
            check(post(d.base, "/v1/traces", spans_body(time.time_ns()))[0] == 200, "a batch before the episode: 200")
            accepted += SPANS_PER_REQUEST
        check(subprocess.run(["mount", "-o", "remount,abort", mnt]).returncode == 0,
              "the file system is forced read-only under the daemon")
        more, refused = fill_until_refused(d)
        accepted += more
        check(refused, f"refused once the file system is read-only ({more} more spans accepted first)")
        text = d.get("/metrics")
        failing = {r: metric(text, f'vigil_store_write_errors_total{{reason="{r}"}}') for r in ("read_only", "io_error")}
        check(sum(failing.values()) > 0, "failed commits counted as read_only or io_error", json.dumps(failing))
        check(status_of(d.base + "/readyz") == 503, "/readyz says not ready")
        check(alert_state(d, "StoreWriteFailing") == "firing", "StoreWriteFailing fires")
        code, out = d.stop(timeout=60)
        check(code == 0, "the daemon stops (what it never acknowledged is reported, not hidden)", out[-1000:])
    finally:
        subprocess.run(["umount", "-l", mnt])
    subprocess.run(["e2fsck", "-fy", img], capture_output=True)  # replays the journal the abort left
    check(subprocess.run(["mount", "-o", "loop", img, mnt]).returncode == 0, "fsck'd and mounted read-write again")
    try:
        d = Daemon(vigil, data, config).start()
        stored = json.loads(d.get("/api/v1/status"))["spans"]
        d.stop()
        check(stored == accepted, f"after the episode every span answered 200 is stored ({stored} of {accepted})")
    finally:
        subprocess.run(["umount", "-l", mnt])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigil", required=True)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        mnt = os.path.join(tmp, "small-disk")
        os.makedirs(mnt)
        res = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mnt], capture_output=True, text=True)
        if res.returncode != 0:
            print(f"skipped: cannot mount a tmpfs here ({res.stderr.strip()}); the disk-full test needs root")
            return SKIP
        try:
            run(args.vigil, mnt)
            killed_while_full(args.vigil, mnt, tmp)
        finally:
            subprocess.run(["umount", "-l", mnt])
        read_only_episode(args.vigil, tmp)
    print("1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
