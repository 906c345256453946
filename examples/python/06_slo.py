"""Exercise 6: track an availability and latency SLO with an error budget
and burn rates, in the classic SLOMonitor shape.

    python3 06_slo.py
"""
import random

import vigil


def main():
    slo = vigil.SLOMonitor(target_availability=0.999, latency_threshold_ms=200, name="predict")
    rng = random.Random(6)
    for phase, (requests, error_rate) in enumerate([(20000, 0.0005), (2000, 0.08)]):
        for _ in range(requests):
            slo.record_request(success=rng.random() >= error_rate, latency_ms=rng.expovariate(1 / 20))
        status = slo.check_slo_compliance()
        print(f"phase {phase}: compliance {status['compliance']:.4%}, budget left "
              f"{status['error_budget_remaining']:.1%}, 1h burn {status['burn_rates']['1h']:.1f}x, "
              f"at risk: {status['at_risk']}")
        for alert in status["alerts"]:
            if alert["firing"]:
                print(f"  {alert['severity']} alert: burn over {alert['factor']}x "
                      f"({alert['long_window']} and {alert['short_window']})")


if __name__ == "__main__":
    main()
