"""Load benchmarks of the platform (see bench/quiz_load.py)."""
