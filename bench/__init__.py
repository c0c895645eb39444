"""Benchmarks (``make bench``); never imported by the app."""
