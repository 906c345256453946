"""Exercise 1: request count, latency histogram and active users for an
inference endpoint, on /metrics for Prometheus.

Written for prometheus_client: only the import line differs.

    python3 01_metrics.py [port] [seconds] [addr]    then: curl 127.0.0.1:8000/metrics
"""
import random
import sys
import time

from vigil.prometheus_client import Counter, Gauge, Histogram, start_http_server

REQUESTS = Counter("app_requests_total", "Total HTTP requests", ["method", "endpoint", "status"])
LATENCY = Histogram("app_request_latency_seconds", "Request latency in seconds", ["endpoint"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0))
ACTIVE_USERS = Gauge("app_active_users", "Users with an open session")


def handle_request(rng):
    endpoint = rng.choice(["/predict", "/predict", "/predict", "/health"])
    with LATENCY.labels(endpoint=endpoint).time():
        time.sleep(rng.uniform(0.0005, 0.003))
    status = "500" if rng.random() < 0.05 else "200"
    REQUESTS.labels("POST" if endpoint == "/predict" else "GET", endpoint, status).inc()


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8000
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 30
    addr = sys.argv[3] if len(sys.argv) > 3 else "0.0.0.0"
    start_http_server(port, addr=addr)
    print("serving /metrics on port", port, flush=True)
    rng = random.Random(7)
    deadline = time.time() + seconds
    while time.time() < deadline:
        ACTIVE_USERS.set(rng.randint(10, 50))
        handle_request(rng)


if __name__ == "__main__":
    main()
