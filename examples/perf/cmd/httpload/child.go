package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// freeAddr returns a loopback address with a port free a moment ago.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	return addr, ln.Close()
}

// waitHTTP polls url until it answers anything, c exits or limit passes.
func waitHTTP(ctx context.Context, url string, c *child, limit time.Duration) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(limit)
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		if resp, err := client.Do(req); err == nil {
			_ = resp.Body.Close()
			return nil
		}
		select {
		case <-c.done:
			return fmt.Errorf("exited: %v", c.err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no answer from %s after %s", url, limit)
		}
	}
}

// child is a process started by all, its output in a log file.
type child struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error
}

// start starts a child process with env added, its output to NAME.log.
func (r *allRun) start(ctx context.Context, name string, env []string, bin string, args ...string) (*child, error) {
	c := &child{name: name, log: r.path(name + ".log"), done: make(chan struct{})}
	f, err := os.Create(c.log)
	if err != nil {
		return nil, err
	}
	c.cmd = exec.Command(bin, args...)
	c.cmd.Env = append(os.Environ(), env...)
	c.cmd.Stdout, c.cmd.Stderr = f, f
	if err := c.cmd.Start(); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	r.children = append(r.children, c)
	go func() {
		c.err = c.cmd.Wait()
		_ = f.Close()
		close(c.done)
	}()
	go func() {
		select {
		case <-ctx.Done():
			_ = c.stop()
		case <-c.done:
		}
	}()
	return c, nil
}

// waitLine waits until the child's log holds a line starting with prefix.
func (c *child) waitLine(ctx context.Context, prefix string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		if b, err := os.ReadFile(c.log); err == nil {
			for line := range strings.Lines(string(b)) {
				if strings.HasPrefix(line, prefix) {
					return nil
				}
			}
		}
		select {
		case <-c.done:
			return fmt.Errorf("exited: %v", c.err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready after %s", limit)
		}
	}
}

// stop sends SIGTERM, waits up to 30 s (then kills) and returns how the
// process ended; an exit after SIGTERM with status 0 is nil.
func (c *child) stop() error {
	select {
	case <-c.done:
		return c.err
	default:
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(30 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
		return errors.New("killed after 30 s")
	}
	return c.err
}

// cpu is the CPU the ended child used.
func (c *child) cpu() time.Duration {
	if c.cmd.ProcessState == nil {
		return 0
	}
	return c.cmd.ProcessState.UserTime() + c.cmd.ProcessState.SystemTime()
}

// stopAll stops every child still running.
func (r *allRun) stopAll() {
	for _, c := range r.children {
		if err := c.stop(); err != nil {
			r.logf("%s ended: %v (see %s)", c.name, err, c.log)
		}
	}
	r.children = nil
}
