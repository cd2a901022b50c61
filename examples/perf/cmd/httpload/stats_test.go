package main

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestSummarize(t *testing.T) {
	d := make([]time.Duration, 1000)
	for i := range d {
		d[i] = time.Duration(i+1) * time.Microsecond
	}
	rand.Shuffle(len(d), func(i, j int) { d[i], d[j] = d[j], d[i] })
	got := summarize(d)
	assert.Equal(t, latency{N: 1000, P50: 500 * time.Microsecond, P90: 900 * time.Microsecond,
		P99: 990 * time.Microsecond, P999: 999 * time.Microsecond, Max: 1000 * time.Microsecond,
		Mean: 500500 * time.Nanosecond}, got)

	tests := []struct {
		name string
		d    []time.Duration
		want latency
	}{
		{"none", nil, latency{}},
		{"one", []time.Duration{7}, latency{N: 1, P50: 7, P90: 7, P99: 7, P999: 7, Max: 7, Mean: 7}},
		{"two", []time.Duration{9, 1}, latency{N: 2, P50: 1, P90: 9, P99: 9, P999: 9, Max: 9, Mean: 5}},
		// Nearest rank: p99 of 100 samples is the 99th, of 101 the 100th.
		{"one slow in a hundred", append(repeat(99, 1), 100), latency{N: 100, P50: 1, P90: 1, P99: 1, P999: 100, Max: 100, Mean: 1}},
		{"two slow in a hundred and one", append(repeat(99, 1), 100, 100), latency{N: 101, P50: 1, P90: 1, P99: 100, P999: 100, Max: 100, Mean: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, summarize(tt.d))
		})
	}
}

func repeat(n int, d time.Duration) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d
	}
	return out
}

func TestRatioAndMean(t *testing.T) {
	assert.InDelta(t, 0.5, ratio(1, 2), 1e-12)
	assert.Zero(t, ratio(1, 0))
	assert.InDelta(t, 0.45, mean([]float64{0.4, 0.5}), 1e-12)
	assert.Zero(t, mean(nil))
}
