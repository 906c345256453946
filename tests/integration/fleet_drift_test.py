#!/usr/bin/env python3
"""Fleet-wide drift across replicas: two daemons are fed disjoint halves of
one model's predictions and a third is fed all of them. Replica a saves its
closed windows' profiles in the shared directory (monitor.window_profiles);
replica b shares no directory and sends them to the third daemon
(monitor.window_profiles_url, with its bearer token), which saves them
there beside its own. `vigil merge` of the two halves' files gives the
third daemon's window exactly (counts, bins, grid, categories; moments to
rounding), and `vigil drift` of the reference against the merged window
gives the single daemon's report, feature by feature. The receiving route
refuses what is not a window profile, with the API's JSON errors."""
import glob
import json
import os
import random
import subprocess
import sys
import time
import urllib.error
import urllib.request

from testlib import check, start_daemon, vigil_main

EVENTS = 3000
TOKEN = "fleet-secret"


def post(url, body, token=TOKEN, content_type="application/json"):
    req = urllib.request.Request(url, data=body, method="POST",
                                 headers={"Content-Type": content_type, "Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(req, timeout=60) as res:
            return res.status, res.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def reference_csv(path):
    rng = random.Random(1)
    with open(path, "w") as f:
        f.write("amount,age,country\n")
        for _ in range(4000):
            f.write(f"{rng.lognormvariate(3, 1):.4f},{rng.randint(18, 90)},{rng.choice('ABCD')}\n")


def events():
    """Predictions inside one window (an hour, aligned as the daemons align
    it): amount drifts, age does not, country shifts a little."""
    rng = random.Random(2)
    start = int(time.time()) // 3600 * 3600 * 10**9
    now = time.time_ns()
    out = []
    for i in range(EVENTS):
        out.append({"model": "fraud", "prediction": rng.choice(["ok", "fraud"]),
                    "timestamp_ns": min(now, start + 1_000_000 * i),
                    "features": {"amount": round(rng.lognormvariate(3.4, 1), 4), "age": rng.randint(18, 90),
                                 "country": rng.choice("ABCDA")}})
    return out


def post_all(d, lines):
    for i in range(0, len(lines), 500):
        body = "\n".join(json.dumps(l) for l in lines[i:i + 500]).encode()
        status, answer = post(d.base + "/api/v1/predictions", body, content_type="application/x-ndjson")
        check(status == 200, f"{len(lines[i:i + 500])} predictions accepted by {d.base}", answer[:200])


def refuses_what_is_not_a_window(central, replica):
    route = "/api/v1/window_profiles"
    cases = [
        (central.base + route + "?model=fraud&instance=x", b"{}", TOKEN, 400, "not a window"),
        (central.base + route + "?model=fraud&instance=x", b"{not json", TOKEN, 400, "a body that is not JSON"),
        (central.base + route + "?model=fraud", b"{}", TOKEN, 400, "no instance"),
        (central.base + route + "?model=fraud&instance=x", b"{}", "wrong", 401, "a wrong token"),
        (replica.base + route + "?model=fraud&instance=x", b"{}", TOKEN, 404, "a daemon without window_profiles"),
    ]
    for url, body, token, want, what in cases:
        status, answer = post(url, body, token)
        check(status == want and "error" in json.loads(answer), f"window profile refused: {what} ({status})", answer[:300])
    status, answer = post(central.base + route + "?model=fraud&instance=x", b"{}", content_type="text/plain")
    check(status == 415, "a cross-site form body (text/plain) is refused", answer[:200])


def run(vigil, tmp):
    reference_csv(os.path.join(tmp, "reference.csv"))
    subprocess.run([vigil, "profile", os.path.join(tmp, "reference.csv"), "-o", os.path.join(tmp, "ref.json")],
                   check=True, capture_output=True)
    models = f"  models:\n    - {{name: fraud, reference: {tmp}/ref.json}}\n"
    for name in ("a", "b", "all"):
        os.makedirs(os.path.join(tmp, name))
    central = start_daemon(vigil, os.path.join(tmp, "all"), token=TOKEN, config=(
        f"monitor:\n  window: 1h\n  window_profiles: {tmp}/windows\n  instance: all\n" + models))
    daemons = {
        "a": start_daemon(vigil, os.path.join(tmp, "a"), config=(
            f"monitor:\n  window: 1h\n  window_profiles: {tmp}/windows\n  instance: a\n" + models)),
        "b": start_daemon(vigil, os.path.join(tmp, "b"), config=(
            f"monitor:\n  window: 1h\n  window_profiles_url: {central.base}\n  window_profiles_token: {TOKEN}\n"
            f"  instance: b\n" + models)),
        "all": central,
    }
    refuses_what_is_not_a_window(central, daemons["b"])
    lines = events()
    post_all(daemons["a"], lines[0::2])
    post_all(daemons["b"], lines[1::2])
    post_all(daemons["all"], lines)
    for name, d in daemons.items():  # the central daemon last: b sends it its window as it stops
        if name == "all":
            req = urllib.request.Request(d.base + "/metrics")
            text = urllib.request.urlopen(req, timeout=30).read().decode()
            check('vigil_model_window_profiles_total{result="written"} 1' in text,
                  "the central daemon counted b's window as written", text[-800:])
        code, out = d.stop()
        check(code == 0, "daemon stopped cleanly, closing its open window", out[-500:])

    files = {name: glob.glob(f"{tmp}/windows/fraud/*-{name}.json") for name in daemons}
    check(all(len(f) == 1 for f in files.values()), "each daemon saved one window profile", files)
    starts = {os.path.basename(f[0]).split("-")[0] for f in files.values()}
    check(len(starts) == 1, "the three windows start at the same time (aligned windows)", starts)

    fleet = os.path.join(tmp, "fleet.json")
    subprocess.run([vigil, "merge", files["a"][0], files["b"][0], "-o", fleet], check=True, capture_output=True)
    merged = json.load(open(fleet))
    single = json.load(open(files["all"][0]))
    check(merged["rows"] == single["rows"] == EVENTS, "the merged window holds every prediction once",
          (merged["rows"], single["rows"]))
    for name, m in merged["features"].items():
        s = single["features"][name]
        exact = ("count", "missing", "min", "max", "edges", "bins", "grid", "few_values", "counts")
        same = {k: m.get(k) == s.get(k) for k in exact if k in s}
        check(all(same.values()), f"{name}: merged halves equal the single daemon's window exactly", same)
        if "sum" in s:
            mean = lambda f: f["shift"] + f["sum"] / f["finite"]
            check(abs(mean(m) - mean(s)) <= 1e-9 * abs(mean(s)), f"{name}: means agree to rounding")

    def report(profile):
        out = subprocess.run([vigil, "drift", os.path.join(tmp, "ref.json"), profile, "--json", "-", "--no-progress"],
                             check=True, capture_output=True, text=True).stdout
        return json.loads(out)

    fleet_report, single_report = report(fleet), report(files["all"][0])
    key = lambda r: {f["name"]: (f["method"], f["drifted"]) for f in r["features"]}
    check(key(fleet_report) == key(single_report), "the fleet report has the single daemon's methods and verdicts",
          (key(fleet_report), key(single_report)))
    for a, b in zip(fleet_report["features"], single_report["features"]):
        check(abs(a["score"] - b["score"]) <= 1e-9 * max(1e-300, abs(b["score"])),
              f"{a['name']}: {a['method']} score {a['score']:.6g} equals the single daemon's")
    drifted = {f["name"] for f in fleet_report["features"] if f["drifted"]}
    check("amount" in drifted and "age" not in drifted, "amount drifts and age does not", drifted)


if __name__ == "__main__":
    sys.exit(vigil_main(run))
