// Command tcprr measures TCP request/response transactions per second: one
// connection, one byte each way per transaction, as fast as the round trip
// allows, for a fixed time (netperf's TCP_RR with 1-byte messages).
//
// Server:  tcprr -listen :5202 -timeout 30s
// Client:  tcprr -connect 10.0.0.2:5202 -duration 5s
//
// The client prints one line, "transactions=N seconds=S tps=R", and exits
// non-zero when it could not connect or the exchange failed. The server
// answers every connection until -timeout elapses. Both are bounded in time
// whatever the peer does.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"time"
)

// connectTimeout bounds the TCP handshake: a switch that drops the SYN
// (stock OVS with offloads on) must give an error, not a hang.
const connectTimeout = 3 * time.Second

// graceTime is how long past -duration a client's reads and writes may
// block before the exchange is declared stuck.
const graceTime = 2 * time.Second

func main() {
	listen := flag.String("listen", "", "serve on this address")
	timeout := flag.Duration("timeout", 30*time.Second, "server lifetime")
	connect := flag.String("connect", "", "connect to this address")
	duration := flag.Duration("duration", 5*time.Second, "client measuring time")
	flag.Parse()
	switch {
	case *listen != "":
		if err := serve(*listen, *timeout); err != nil {
			fmt.Fprintln(os.Stderr, "tcprr:", err)
			os.Exit(1)
		}
	case *connect != "":
		r, err := run(*connect, *duration)
		if err != nil {
			fmt.Fprintln(os.Stderr, "tcprr:", err)
			os.Exit(1)
		}
		fmt.Println(r)
	default:
		fmt.Fprintln(os.Stderr, "tcprr: need -listen or -connect")
		os.Exit(2)
	}
}

// serve accepts connections on addr and echoes every byte back, until
// lifetime has passed.
func serve(addr string, lifetime time.Duration) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	deadline := time.Now().Add(lifetime)
	ln.(*net.TCPListener).SetDeadline(deadline)
	defer ln.Close()
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				return nil
			}
			return fmt.Errorf("accept: %w", err)
		}
		c.SetDeadline(deadline)
		go echo(c)
	}
}

// echo answers each byte read from c with the same byte until c fails.
func echo(c net.Conn) {
	defer c.Close()
	var b [1]byte
	for {
		if _, err := io.ReadFull(c, b[:]); err != nil {
			return
		}
		if _, err := c.Write(b[:]); err != nil {
			return
		}
	}
}

// result is what the client measured.
type result struct {
	transactions int
	elapsed      time.Duration
}

func (r result) String() string {
	s := r.elapsed.Seconds()
	tps := 0.0
	if s > 0 {
		tps = float64(r.transactions) / s
	}
	return fmt.Sprintf("transactions=%d seconds=%.3f tps=%.0f", r.transactions, s, tps)
}

// run connects to addr and ping-pongs one byte for d.
func run(addr string, d time.Duration) (result, error) {
	c, err := net.DialTimeout("tcp", addr, connectTimeout)
	if err != nil {
		return result{}, fmt.Errorf("connect %s: %w", addr, err)
	}
	defer c.Close()
	return pingPong(c, d)
}

// pingPong sends one byte and waits for its echo, repeatedly, for d.
func pingPong(c net.Conn, d time.Duration) (result, error) {
	start := time.Now()
	end := start.Add(d)
	if err := c.SetDeadline(end.Add(graceTime)); err != nil {
		return result{}, fmt.Errorf("set deadline: %w", err)
	}
	var b [1]byte
	n := 0
	for {
		now := time.Now()
		if !now.Before(end) {
			return result{transactions: n, elapsed: now.Sub(start)}, nil
		}
		b[0] = byte(n)
		if _, err := c.Write(b[:]); err != nil {
			return result{n, time.Since(start)}, fmt.Errorf("transaction %d: write: %w", n, err)
		}
		if _, err := io.ReadFull(c, b[:]); err != nil {
			return result{n, time.Since(start)}, fmt.Errorf("transaction %d: read: %w", n, err)
		}
		if b[0] != byte(n) {
			return result{n, time.Since(start)}, fmt.Errorf("transaction %d: echo %d, want %d", n, b[0], byte(n))
		}
		n++
	}
}
