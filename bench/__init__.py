"""Benchmark of a large district: `python -m bench.generate`, then `python -m bench.run`."""
