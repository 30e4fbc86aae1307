"""Reproducible jobs: the demo, benchmarks and experiments (``python -m pipelines.<name>``)."""
