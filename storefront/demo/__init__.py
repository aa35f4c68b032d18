"""Demo data: a shop a person can explore, and large catalogs for benchmarks."""
