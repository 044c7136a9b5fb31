package main

import (
	"net"
	"strings"
	"testing"
	"time"
)

func TestPingPongLoopback(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	done := make(chan error, 1)
	go func() { done <- serve(addr, 2*time.Second) }()
	var r result
	for i := 0; i < 50; i++ { // the server may not listen yet
		if r, err = run(addr, 200*time.Millisecond); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if r.transactions == 0 {
		t.Fatalf("no transactions: %v", r)
	}
	if !strings.HasPrefix(r.String(), "transactions=") {
		t.Errorf("output %q", r)
	}
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}
}

func TestConnectRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	if _, err := run(addr, 100*time.Millisecond); err == nil {
		t.Fatal("run to a closed port succeeded")
	}
}

func TestResultString(t *testing.T) {
	for _, tc := range []struct {
		r    result
		want string
	}{
		{result{0, 0}, "transactions=0 seconds=0.000 tps=0"},
		{result{500, time.Second / 2}, "transactions=500 seconds=0.500 tps=1000"},
	} {
		if got := tc.r.String(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.r, got, tc.want)
		}
	}
}
