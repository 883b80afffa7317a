"""Benchmarks run by `make bench`: figures, never pass/fail timings (those stay out of tests)."""
