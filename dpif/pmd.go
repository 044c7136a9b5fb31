package dpif

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// PMD ("poll mode driver") loops: with other_config:pmd-cpu-mask, the
// datapath runs one forwarding loop per listed CPU, pinned to it and
// busy-polling its rx queues, as OVS's pmd threads do.
//
// The loops are those of Config.Loops: loop 0 stays the "main thread"
// (packet-outs, no rx queues while a mask is set) and loops 1..n become the
// pmd loops when the datapath has more loops than the mask has CPUs; with
// exactly as many loops as CPUs, loop 0 is a pmd loop too. Loops left over
// poll nothing and sleep in epoll.

const (
	// pmdIdleSleep is how long a pmd loop busy-polls without receiving a
	// packet before it falls back to sleeping in epoll until a queue has
	// packets. OVS 3.1's pmd threads never sleep; govs runs on shared
	// cores (CI machines, laptops, 2-vCPU VMs) where an idle spinning
	// thread takes a whole CPU from everything else, so an idle pmd loop
	// gives the CPU back. While packets flow (any packet within the last
	// pmdIdleSleep) it never enters epoll; the first packet after an idle
	// period pays one epoll wake-up (tens of microseconds), the trade-off
	// OVS 3.2's pmd-sleep-max offers as an option.
	pmdIdleSleep = 200 * time.Millisecond
	// pmdRxqBias is added to the rx queue count of loops that must not
	// get queues while a mask is set (the main thread, spare loops), so
	// that AddPort's least-loaded choice never picks them.
	pmdRxqBias = 1 << 20
	// maxCPUs bounds the CPU numbers of a mask (the size of the kernel's
	// default cpu_set_t).
	maxCPUs = 1024
)

var (
	// processAffinity is the CPU set the process may run on, read once
	// before any loop is pinned: unpinned loops go back to it, and CPUs
	// outside it are ignored in a mask as OVS ignores absent cores.
	processAffinityOnce sync.Once
	processAffinity     unix.CPUSet
	processAffinityErr  error
)

func allowedCPUs() (*unix.CPUSet, error) {
	processAffinityOnce.Do(func() {
		processAffinityErr = unix.SchedGetaffinity(0, &processAffinity)
	})
	if processAffinityErr != nil {
		return nil, fmt.Errorf("sched_getaffinity: %w", processAffinityErr)
	}
	return &processAffinity, nil
}

// ParsePMDCPUMask parses other_config:pmd-cpu-mask as OVS does: hex digits,
// with an optional "0x" or "0X" prefix, the last digit naming CPUs 0-3
// (bit i of the number is CPU i). It returns the CPUs in increasing order;
// an empty string, or a mask without any bit set, gives nil (the default:
// no pmd loops). Where OVS logs and skips a non-hex digit, it returns an
// error wrapping ErrInvalid.
func ParsePMDCPUMask(s string) ([]int, error) {
	hex := s
	if strings.HasPrefix(hex, "0x") || strings.HasPrefix(hex, "0X") {
		hex = hex[2:]
	}
	var cpus []int
	for i := len(hex) - 1; i >= 0; i-- {
		c := hex[i]
		var v int
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'a' && c <= 'f':
			v = int(c-'a') + 10
		case c >= 'A' && c <= 'F':
			v = int(c-'A') + 10
		default:
			return nil, fmt.Errorf("dpif: pmd-cpu-mask %q: invalid hex digit %q: %w", s, c, ErrInvalid)
		}
		for b := 0; b < 4; b++ {
			if v&(1<<b) == 0 {
				continue
			}
			cpu := (len(hex)-1-i)*4 + b
			if cpu >= maxCPUs {
				return nil, fmt.Errorf("dpif: pmd-cpu-mask %q: CPU %d beyond %d: %w", s, cpu, maxCPUs-1, ErrInvalid)
			}
			cpus = append(cpus, cpu)
		}
	}
	slices.Sort(cpus)
	return cpus, nil
}

// SetPMDCPUMask makes the datapath run one busy-polling forwarding loop per
// CPU of cpus, each pinned to its CPU, and spreads every port's rx queues
// over them (the lowest-numbered port first, each queue to the loop with
// fewest queues). nil or empty restores the default: blocking loops, not
// pinned, the queues spread over all loops. CPUs the process may not run
// on are ignored, as OVS ignores absent cores; it is an error if none is
// left, if a CPU number is out of range, or if the datapath has fewer
// loops (Config.Loops) than the mask has CPUs.
//
// Packets wait in their rx queues while queues move (no loop polls a
// queue another still polls); megaflows stay with the loop that installed
// them, so traffic of a moved queue misses once in its new loop and its
// old megaflows age out, as when OVS reassigns rx queues. Safe for
// concurrent use with the other control-plane methods.
func (dp *Datapath) SetPMDCPUMask(cpus []int) error {
	dp.mu.Lock()
	defer dp.mu.Unlock()
	if dp.closed {
		return fmt.Errorf("dpif %s: set pmd-cpu-mask: %w", dp.cfg.Name, ErrClosed)
	}
	if dp.cfg.manual {
		return fmt.Errorf("dpif %s: set pmd-cpu-mask: loops driven by hand: %w", dp.cfg.Name, ErrInvalid)
	}
	allowed, err := allowedCPUs()
	if err != nil {
		return fmt.Errorf("dpif %s: set pmd-cpu-mask: %w", dp.cfg.Name, err)
	}
	var use []int
	for _, c := range cpus {
		if c < 0 || c >= maxCPUs {
			return fmt.Errorf("dpif %s: set pmd-cpu-mask: CPU %d out of range: %w", dp.cfg.Name, c, ErrInvalid)
		}
		if allowed.IsSet(c) && !slices.Contains(use, c) {
			use = append(use, c)
		}
	}
	slices.Sort(use)
	if len(cpus) > 0 && len(use) == 0 {
		return fmt.Errorf("dpif %s: set pmd-cpu-mask %v: no CPU the process may run on: %w", dp.cfg.Name, cpus, ErrInvalid)
	}
	if len(use) > len(dp.loops) {
		return fmt.Errorf("dpif %s: set pmd-cpu-mask %v: %d CPUs but %d forwarding loops: %w",
			dp.cfg.Name, use, len(use), len(dp.loops), ErrInvalid)
	}

	// The loops that poll, and the CPU of each (-1: not pinned).
	core := make([]int, len(dp.loops))
	active := make([]bool, len(dp.loops))
	for i := range core {
		core[i] = -1
	}
	switch {
	case len(use) == 0:
		for i := range active {
			active[i] = true
		}
	case len(use) < len(dp.loops):
		for j, c := range use {
			core[1+j], active[1+j] = c, true
		}
	default:
		for j, c := range use {
			core[j], active[j] = c, true
		}
	}

	// Assign every rx queue, ports in number order.
	ports := make([]*port, 0, len(dp.ports))
	for _, p := range dp.ports {
		ports = append(ports, p)
	}
	slices.SortFunc(ports, func(a, b *port) int { return int(a.no) - int(b.no) })
	load := make([]int, len(dp.loops))
	assign := make(map[*port][]int, len(ports))
	for _, p := range ports {
		qs := make([]int, len(p.rxLoops))
		for q := range qs {
			best := -1
			for i := range dp.loops {
				if active[i] && (best < 0 || load[i] < load[best]) {
					best = i
				}
			}
			qs[q] = best
			load[best]++
		}
		assign[p] = qs
	}

	// Take queues away first, then hand them out, so that no queue is
	// polled by two loops at once; meanwhile packets wait in the queue.
	var errs []error
	for i, l := range dp.loops {
		err := l.call(func(l *loop) {
			l.rxqs = slices.DeleteFunc(l.rxqs, func(r rxQueue) bool {
				if qs, ok := assign[r.lp.p]; ok && r.q < len(qs) && qs[r.q] == i {
					return false
				}
				l.unwatch(r)
				return true
			})
		})
		if err != nil {
			errs = append(errs, err)
		}
	}
	for i, l := range dp.loops {
		err := l.call(func(l *loop) {
			for _, p := range ports {
				for q, li := range assign[p] {
					if li != i || l.pollsQueue(p.no, q) {
						continue
					}
					if int(p.no) < len(l.ports) && l.ports[p.no] != nil {
						l.addRxq(l.ports[p.no], q)
					}
				}
			}
		})
		if err != nil {
			errs = append(errs, err)
		}
	}
	for _, p := range ports {
		copy(p.rxLoops, assign[p])
	}
	for i, l := range dp.loops {
		n := int32(load[i])
		if !active[i] {
			n += pmdRxqBias
		}
		l.nRxq.Store(n)
	}

	// Pin (or unpin) each loop's thread, from the thread itself.
	for i, l := range dp.loops {
		c := core[i]
		var perr error
		err := l.call(func(l *loop) { perr = l.setCore(c, allowed) })
		if err == nil {
			err = perr
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("loop %d: %w", i, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("dpif %s: set pmd-cpu-mask %v: %w", dp.cfg.Name, use, err)
	}
	return nil
}

// PMDCPUs returns the CPU of each pmd loop, in increasing order; nil when
// no mask is set. Safe from any goroutine.
func (dp *Datapath) PMDCPUs() []int {
	var out []int
	for _, l := range dp.loops {
		if c := l.core.Load(); c >= 0 {
			out = append(out, int(c))
		}
	}
	slices.Sort(out)
	return out
}

// setCore pins the loop's thread to cpu and makes the loop busy-poll, or
// with cpu < 0 restores the process's CPU set and blocking polls. Runs on
// the loop's goroutine, which is locked to its thread.
func (l *loop) setCore(cpu int, allowed *unix.CPUSet) error {
	set := *allowed
	if cpu >= 0 {
		set.Zero()
		set.Set(cpu)
	}
	if cpu >= 0 || l.core.Load() >= 0 {
		if err := unix.SchedSetaffinity(0, &set); err != nil {
			return fmt.Errorf("sched_setaffinity CPU %d: %w", cpu, err)
		}
	}
	l.core.Store(int32(cpu))
	l.numa = numaNode(cpu)
	l.lastRx = mono()
	return nil
}

// numaNode returns the NUMA node of cpu from sysfs (0 when unknown).
func numaNode(cpu int) int {
	if cpu < 0 {
		return 0
	}
	ents, err := os.ReadDir(fmt.Sprintf("/sys/devices/system/cpu/cpu%d", cpu))
	if err != nil {
		return 0
	}
	for _, e := range ents {
		var n int
		if _, err := fmt.Sscanf(e.Name(), "node%d", &n); err == nil {
			return n
		}
	}
	return 0
}
