//! Generated documents for benchmarks (written by the benchmark work).
