"""The demo data set and the generator of a desk's long history, for trials and benchmarks."""
