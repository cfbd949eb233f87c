from warden.bench.monitor import run_bench
from warden.monitoring.detectors import DETECTORS


def test_bench_reports_every_phase_the_reference_and_the_load() -> None:
    report = run_bench(20_000)  # 2,000 customers: enough for the stand-in customer model to flag some
    assert report["reference_rows"] == 20_000
    assert set(DETECTORS) <= set(report["phases"])
    assert {"anomaly", "features_walks", "features_bursts", "model_fit_and_score"} <= set(report["phases"])
    assert report["model"]["scored"] == report["model"]["accounts"] > 0
    # the exchange's customer model is timed too, over the same customers, within its alert budget
    assert {"customer_model_fit", "customer_model_apply"} <= set(report["phases"])
    assert 0 < report["customer_model"]["customers"] <= report["customers"]
    assert report["customer_model"]["alerts"] > 0
    assert report["total_seconds"] >= report["customer_model_seconds"] > 0
    assert report["total_cpu_seconds"] > 0 and report["peak_rss_mb"] > 0
    assert report["load_average_1m_before"] >= 0 and report["target"]["met"] is False  # too few transactions
