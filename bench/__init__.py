"""Benchmarks: the raw limits of the broker and store, and the whole system measured against them."""
