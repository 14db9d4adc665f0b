"""Benchmarks of the harness runtime (not tests): loopback servers and throughput drivers."""
