"""Offline adapter: CLI, scan, backtest, demo and benchmarks."""
