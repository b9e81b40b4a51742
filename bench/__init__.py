"""Benchmarks: `make bench` runs them and writes BENCHMARKS.md. Every figure is a ratio against a
reference measured side by side in the same run, rounds interleaved, medians reported."""
