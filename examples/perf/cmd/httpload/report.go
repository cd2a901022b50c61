package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// report prints the table of the phases, the ratios and the checks.
func (r *allRun) report() {
	fmt.Fprintln(r.out)
	tw := tabwriter.NewWriter(r.out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "phase\trequests\treq/s\tp50\tp99\tnon-2xx\tgenerator CPU\tserver CPU\tpostgres CPU\tmachine busy\tflip-set answers\tstale\twrong\t")
	for _, p := range r.phases {
		wall := p.res.Wall.Seconds()
		checked, stale, wrong := "-", "-", "-"
		if p.kind == "portal-warm" {
			checked, stale, wrong = strconv.Itoa(p.tally.Checked), strconv.Itoa(p.tally.Stale), strconv.Itoa(p.tally.Wrong)
		}
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", p.name, p.res.Requests, p.res.PerSecond,
			ms(p.res.Latency.P50), ms(p.res.Latency.P99), non2xx(p.res.Status),
			cores(p.res.CPU, wall), cores(p.server, wall), cores(p.db, wall), cores(p.busy, wall), checked, stale, wrong)
	}
	_ = tw.Flush()
	fmt.Fprintln(r.out, "(CPU columns in cores: CPU seconds over the phase's seconds; the server is the portal or the bare server; machine busy counts every process, other users' too)")

	var rps, p99 []float64
	var bareRPS []float64
	var each []string
	for round := 1; round <= r.cfg.Rounds; round++ {
		b, p := r.find("bare", round), r.find("portal-warm", round)
		x, y := ratio(p.res.PerSecond, b.res.PerSecond), ratio(float64(p.res.Latency.P99), float64(b.res.Latency.P99))
		rps, p99, bareRPS = append(rps, x), append(p99, y), append(bareRPS, b.res.PerSecond)
		each = append(each, fmt.Sprintf("round %d: %.3f (p99 x%.1f)", round, x, y))
	}
	fmt.Fprintf(r.out, "\nratio portal-warm/bare req/s: mean %.3f; %s; p99 portal/bare mean x%.1f\n", mean(rps), strings.Join(each, ", "), mean(p99))
	if c := r.find("portal-cold", 0); c != nil {
		fmt.Fprintf(r.out, "ratio portal-cold/bare req/s (bare: mean of its rounds): %.3f%s\n", ratio(c.res.PerSecond, mean(bareRPS)),
			map[bool]string{true: " (the cold phase used every prepared session and started over)"}[c.res.ColdWrapped])
	}

	var t checkTally
	for _, p := range r.phases {
		t.Checked += p.tally.Checked
		t.Stale += p.tally.Stale
		t.Wrong += p.tally.Wrong
		t.Unclassified += p.tally.Unclassified
		t.Examples = append(t.Examples, p.tally.Examples...)
	}
	next := tallyNext(r.flipOps)
	removals := 0
	for _, o := range r.flipOps {
		if o.Op == opRemove && o.Err == "" {
			removals++
		}
	}
	fmt.Fprintf(r.out, "stale answers: %d (wrong: %d) of %d flip-set answers checked; %d showed no state (neither 200 nor 401)\n",
		t.Stale, t.Wrong, t.Checked, t.Unclassified)
	for _, e := range t.Examples {
		fmt.Fprintln(r.out, "  e.g.", e)
	}
	fmt.Fprintf(r.out, "very-next-request mismatches: %d of %d flip ops (%d removals; %d ops failed)\n",
		next.Mismatches, next.Ops, removals, next.Failed)
	writeFlipCPU(r.out, r.phases)
}

// find returns the phase of kind and round, or nil.
func (r *allRun) find(kind string, round int) *phase {
	i := slices.IndexFunc(r.phases, func(p *phase) bool { return p.kind == kind && p.round == round })
	if i < 0 {
		return nil
	}
	return r.phases[i]
}

func writeFlipCPU(out io.Writer, phases []*phase) {
	var parts []string
	for _, p := range phases {
		if p.kind == "portal-warm" {
			parts = append(parts, fmt.Sprintf("%s %.2fs for %d ops", p.name, p.flipCPU.Seconds(), len(p.flip)))
		}
	}
	fmt.Fprintf(out, "flip process CPU: %s\n", strings.Join(parts, ", "))
}

// cores is cpu over wall seconds, or "-" when unknown.
func cores(cpu time.Duration, wall float64) string {
	if cpu <= 0 || wall <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", cpu.Seconds()/wall)
}

// non2xx lists the counts of statuses outside 2xx ("0" is a transport
// error), or "0".
func non2xx(status map[string]int) string {
	var parts []string
	for _, s := range slices.Sorted(maps.Keys(status)) {
		if code, err := strconv.Atoi(s); err == nil && code >= 200 && code < 300 {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s:%d", s, status[s]))
	}
	if len(parts) == 0 {
		return "0"
	}
	return strings.Join(parts, " ")
}
