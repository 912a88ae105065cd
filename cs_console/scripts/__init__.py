"""Runnable helpers: demo data, benchmarks, link emulator."""
