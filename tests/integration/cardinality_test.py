#!/usr/bin/env python3
"""Names a client controls cannot take the daemon's memory or /metrics:
100 000 distinct model names, 100 000 feature names and 100 000 predicted
classes are sent as prediction events. Past monitor.max_models the events
are refused with 422 naming the limit; features past max_features are left
out of the profile; classes past the family's limit go to __overflow__.
Each is counted, RSS stays under RSS_CEILING_MB and /metrics under
METRICS_CEILING_BYTES."""
import argparse
import json
import os
import sys
import tempfile

from testlib import Daemon, check, http_post, metric, rss_mb

RSS_CEILING_MB = 100
METRICS_CEILING_BYTES = 1_000_000


def post(base, lines):
    body = "\n".join(json.dumps(l) for l in lines).encode()
    status, _, answer = http_post(base + "/api/v1/predictions", body, "application/x-ndjson")
    return status, answer




def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigil", required=True)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config = os.path.join(tmp, "vigil.yaml")
        with open(config, "w") as f:
            f.write("monitor: {window: 1h}\n")
        d = Daemon(args.vigil, os.path.join(tmp, "data"), config).start()
        # One new model per request: the first 100 are monitored, the rest refused.
        codes = [post(d.base, [{"model": f"model-{i}", "prediction": "ok"}])[0] for i in range(150)]
        check(codes[:100] == [200] * 100 and codes[100:] == [422] * 50, "models 1-100 accepted, 101-150 refused with 422")
        status, body = post(d.base, [{"model": "model-x", "prediction": "ok"}])
        check(b"max_models" in body, "the refusal names the limit", body[:300])
        # 100 000 more model names in batches: every batch refused whole.
        refused = sum(post(d.base, [{"model": f"attack-{b}-{i}", "prediction": "ok"} for i in range(1000)])[0] == 422
                      for b in range(100))
        check(refused == 100, "100 000 distinct model names: all 100 batches refused")
        # 100 000 feature names and 100 000 classes on one known model.
        accepted = sum(post(d.base, [{"model": "model-0", "features": {f"f{b}-{i}": i for i in range(1000)},
                                      "prediction": "ok"}])[0] == 200 for b in range(100))
        check(accepted == 100, "100 predictions with 1000 new feature names each are accepted")
        for b in range(100):
            post(d.base, [{"model": "model-1", "prediction": f"class-{b}-{i}"} for i in range(1000)])
        text = d.get("/metrics")
        check(metric(text, 'vigil_receiver_items_total{signal="predictions",outcome="refused"}') >= 100_050,
              "refused prediction events counted")
        check(metric(text, 'vigil_model_features_dropped_total{model="model-0"}') >= 99_000,
              "feature values past max_features counted")
        check(metric(text, 'vigil_metrics_series_dropped_total{metric="vigil_model_predictions"}') > 0,
              "classes past the series limit counted")
        check(len(text) < METRICS_CEILING_BYTES, f"/metrics stays small ({len(text)} bytes)")
        rss = rss_mb(d.proc.pid)
        check(rss < RSS_CEILING_MB, f"peak RSS stays under {RSS_CEILING_MB} MB ({rss:.0f} MB)")
        code, out = d.stop()
        check(code == 0, "the daemon stops cleanly", out[-1000:])
    print("1 passed, 0 failed")


if __name__ == "__main__":
    sys.exit(main())
