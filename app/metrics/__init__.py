"""Prometheus metrics: what operators watch (queue, jobs, steps, streams, HTTP latency)."""
