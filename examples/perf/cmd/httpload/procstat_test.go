package main

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseProcStat(t *testing.T) {
	d, err := parseProcStat([]byte("4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194560 3000 0 0 0 150 25 0 0 20 0 8 0 1000 0 0\n"))
	require.NoError(t, err)
	assert.Equal(t, 1750*time.Millisecond, d, "utime 150 + stime 25 ticks")
	_, err = parseProcStat([]byte("4242 (cmd) S 1 2"))
	assert.Error(t, err)
	_, err = parseProcStat([]byte("no parenthesis"))
	assert.Error(t, err)
}

func TestParseMachineStat(t *testing.T) {
	busy, total, err := parseMachineStat([]byte("cpu  100 5 50 800 40 3 2 0 7 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n"))
	require.NoError(t, err)
	assert.Equal(t, 160*clockTick, busy, "user+nice+system+irq+softirq+steal")
	assert.Equal(t, 1000*clockTick, total)
	_, _, err = parseMachineStat([]byte("intr 1 2 3\n"))
	assert.Error(t, err)
}

func TestProcCPUOfThisProcess(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc")
	}
	deadline := time.Now().Add(30 * time.Millisecond)
	for time.Now().Before(deadline) { // burn a little CPU so that a tick passes
	}
	assert.Positive(t, procCPU(os.Getpid()))
	busy, total := machineCPU()
	assert.Positive(t, total)
	assert.LessOrEqual(t, busy, total)
}

func TestIsBackendOf(t *testing.T) {
	tests := []struct {
		title, db string
		want      bool
	}{
		{"postgres: 15/main: postgres clientele_seed 127.0.0.1(35980) idle\x00\x00", "clientele_seed", true},
		{"postgres: postgres clientele_seed 127.0.0.1(35980) SELECT", "clientele_seed", true},
		{"postgres: 15/main: postgres test 127.0.0.1(35980) BIND", "clientele_seed", false},
		{"postgres: 15/main: checkpointer ", "clientele_seed", false},
		{"postgres: 15/main: clientele_seed x y", "y", false},
		{"/usr/lib/postgresql/15/bin/postgres -D /var/lib/postgresql/15/main", "main", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, isBackendOf(tt.title, tt.db), tt.title)
	}
}
