package main

import (
	"slices"
	"time"

	"github.com/clientele/clientele/examples/perf"
)

// latency summarizes one phase's request latencies.
type latency struct {
	N                        int
	P50, P90, P99, P999, Max time.Duration
	Mean                     time.Duration
}

// summarize sorts d and returns its nearest-rank percentiles (see
// perf.Percentile), mean and maximum; all zero for no samples.
func summarize(d []time.Duration) latency {
	if len(d) == 0 {
		return latency{}
	}
	slices.Sort(d)
	var sum time.Duration
	for _, x := range d {
		sum += x
	}
	return latency{
		N:   len(d),
		P50: perf.Percentile(d, 50), P90: perf.Percentile(d, 90),
		P99: perf.Percentile(d, 99), P999: perf.Percentile(d, 99.9),
		Max:  d[len(d)-1],
		Mean: sum / time.Duration(len(d)),
	}
}

// ratio is a/b, or 0 when b is 0.
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// mean is the arithmetic mean of xs, 0 for none.
func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}
