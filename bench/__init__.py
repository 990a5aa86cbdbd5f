"""The benchmark suite (`make bench`, `python -m bench [PART …]`; docs/benchmarks.md).

Importing it sets up nothing: the driver orchestrates processes, and only `bench.worker`,
`bench.settings` and `bench.urls` run inside Django.
"""
