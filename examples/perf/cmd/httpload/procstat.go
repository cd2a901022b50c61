package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Linux's /proc, read for the CPU each process used during a phase. Every
// reader answers 0 where /proc is missing: the figures are then absent,
// not wrong.

// clockTick is USER_HZ, the unit of /proc's CPU times (100 on Linux).
const clockTick = 10 * time.Millisecond

// procCPU returns the user + system CPU time of process pid.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0
	}
	d, _ := parseProcStat(b)
	return d
}

// parseProcStat reads utime and stime (fields 14 and 15) of a
// /proc/PID/stat line; the command name (field 2) may hold spaces and
// parentheses, so fields are counted from the last ')'.
func parseProcStat(b []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("no command name")
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 { // state is field 3, stime field 15
		return 0, errors.New("too few fields")
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return time.Duration(ut+st) * clockTick, nil
}

// backendCPU returns the CPU time of the PostgreSQL backends connected to
// database db: the processes named "postgres" whose title (their
// cmdline, "postgres: [CLUSTER: ]USER DB HOST(PORT) STATE") names db. Backends that
// ended meanwhile are missed, the server's own processes are left out.
func backendCPU(db string) time.Duration {
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	var sum time.Duration
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		comm, err := os.ReadFile(filepath.Join("/proc", d.Name(), "comm"))
		if err != nil || strings.TrimSpace(string(comm)) != "postgres" {
			continue
		}
		title, err := os.ReadFile(filepath.Join("/proc", d.Name(), "cmdline"))
		if err != nil || !isBackendOf(string(title), db) {
			continue
		}
		sum += procCPU(pid)
	}
	return sum
}

// isBackendOf reports whether a postgres process title is a backend's of
// database db.
func isBackendOf(title, db string) bool {
	f := strings.Fields(strings.ReplaceAll(title, "\x00", " "))
	if len(f) < 4 || f[0] != "postgres:" {
		return false
	}
	if strings.HasSuffix(f[1], ":") { // the cluster's name
		f = f[1:]
	}
	// f[1] is the user, f[2] the database, f[3] "HOST(PORT)" or "[local]".
	return len(f) >= 4 && f[2] == db && (strings.HasSuffix(f[3], ")") || f[3] == "[local]")
}

// machineCPU returns the busy and total CPU time of the whole machine, from
// the "cpu" line of /proc/stat (busy is all but idle and iowait).
func machineCPU() (busy, total time.Duration) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	busy, total, _ = parseMachineStat(b)
	return busy, total
}

func parseMachineStat(b []byte) (busy, total time.Duration, err error) {
	line, _, _ := bytes.Cut(b, []byte{'\n'})
	f := strings.Fields(string(line))
	if len(f) < 6 || f[0] != "cpu" {
		return 0, 0, errors.New("no cpu line")
	}
	var ticks [10]int64
	for i := 1; i < len(f) && i <= len(ticks); i++ {
		if ticks[i-1], err = strconv.ParseInt(f[i], 10, 64); err != nil {
			return 0, 0, err
		}
	}
	// user nice system idle iowait irq softirq steal guest guest_nice;
	// guest time is already counted in user.
	var sum int64
	for _, t := range ticks[:8] {
		sum += t
	}
	idle := ticks[3] + ticks[4]
	return time.Duration(sum-idle) * clockTick, time.Duration(sum) * clockTick, nil
}
