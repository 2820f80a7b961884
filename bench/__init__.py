"""Benchmarks: `make bench` (run.py) and the decision engine's own bench (engine_bench.py)."""
