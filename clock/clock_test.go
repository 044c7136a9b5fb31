package clock

import (
	"path/filepath"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"govs.dev/govs/unixctl"
)

func TestStopFreezes(t *testing.T) {
	c := New()
	c.Stop()
	a := c.Msec()
	time.Sleep(20 * time.Millisecond)
	if b := c.Msec(); b != a {
		t.Fatalf("stopped clock moved %d -> %d", a, b)
	}
	if err := c.Warp(1500 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if b := c.Msec(); b != a+1500 {
		t.Fatalf("after warp 1500: %d, want %d", b, a+1500)
	}
}

func TestWarpFiresTimersInOrder(t *testing.T) {
	c := New()
	c.Stop()
	var mu sync.Mutex
	var got []string
	add := func(s string) func() {
		return func() { mu.Lock(); got = append(got, s); mu.Unlock() }
	}
	c.AfterFunc(3*time.Second, add("3s"))
	c.AfterFunc(1*time.Second, add("1s"))
	stopped := c.AfterFunc(2*time.Second, add("never"))
	tick := c.Ticker(1500*time.Millisecond, add("tick"))
	c.OnWarp(add("hook"))
	if !stopped.Stop() {
		t.Fatal("Stop of pending timer returned false")
	}
	if err := c.WarpSteps(4000*time.Millisecond, 2000*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	want := []string{"1s", "tick", "hook", "3s", "tick", "hook"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	tick.Stop()
	got = nil
	c.Warp(10 * time.Second)
	if !reflect.DeepEqual(got, []string{"hook"}) {
		t.Errorf("after stopping ticker got %v", got)
	}
}

func TestRealTimeTimer(t *testing.T) {
	c := New()
	done := make(chan struct{})
	c.AfterFunc(10*time.Millisecond, func() { close(done) })
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("timer did not fire in real time")
	}
}

func TestStoppedClockTimersWaitForWarp(t *testing.T) {
	c := New()
	c.Stop()
	var fired atomic.Bool
	c.AfterFunc(5*time.Millisecond, func() { fired.Store(true) })
	time.Sleep(30 * time.Millisecond)
	if fired.Load() {
		t.Fatal("timer fired on a stopped clock")
	}
	c.Warp(5 * time.Millisecond)
	if !fired.Load() {
		t.Fatal("timer did not fire after warp")
	}
}

func TestCommands(t *testing.T) {
	s, err := unixctl.Listen(filepath.Join(t.TempDir(), "t.ctl"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := New()
	RegisterCommands(s, c)
	tests := []struct {
		args    []string
		want    string
		wantErr string
	}{
		{[]string{"time/stop"}, "", ""},
		{[]string{"time/warp", "100"}, "warped\n", ""},
		{[]string{"time/warp", "1000", "300"}, "warped\n", ""},
		{[]string{"time/warp", "-1"}, "", "invalid MSECS\n"},
		{[]string{"time/warp", "abc"}, "", "invalid MSECS\n"},
		{[]string{"time/warp", "-5", "10"}, "", "invalid MSECS\n"},
		{[]string{"time/warp"}, "", "\"time/warp\" command requires at least 1 arguments\n"},
	}
	start := c.Msec()
	for _, tc := range tests {
		got, err := s.Call(tc.args[0], tc.args[1:]...)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if got != tc.want || gotErr != tc.wantErr {
			t.Errorf("%v: got %q, %q; want %q, %q", tc.args, got, gotErr, tc.want, tc.wantErr)
		}
	}
	if d := c.Msec() - start; d != 1100 {
		t.Errorf("clock moved %d ms, want 1100", d)
	}
}

func TestAtoll(t *testing.T) {
	for in, want := range map[string]int64{"12": 12, " -3x": -3, "abc": 0, "+7": 7, "": 0} {
		if got := atoll(in); got != want {
			t.Errorf("atoll(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestConcurrentWarpRefused(t *testing.T) {
	c := New()
	c.Stop()
	release := make(chan struct{})
	entered := make(chan struct{})
	c.OnWarp(func() {
		select {
		case entered <- struct{}{}:
			<-release
		default:
		}
	})
	go c.Warp(time.Millisecond)
	<-entered
	if err := c.Warp(time.Millisecond); err != ErrWarpInProgress {
		t.Errorf("concurrent warp: %v", err)
	}
	close(release)
}

func TestMsecAllocs(t *testing.T) {
	c := New()
	if n := testing.AllocsPerRun(1000, func() { c.Msec() }); n != 0 {
		t.Errorf("Msec allocates %v", n)
	}
}

func BenchmarkMsec(b *testing.B) {
	c := New()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.Msec()
		}
	})
}
