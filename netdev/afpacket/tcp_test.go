package afpacket

import (
	"crypto/sha256"
	"io"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"govs.dev/govs/internal/testnet"
	"govs.dev/govs/packet"
)

// forwarder moves frames between two devices as a two-port hub would,
// unchanged, header state included, until stop is closed.
type forwarder struct {
	gso, partial, frames atomic.Uint64
	done                 chan error
}

func forward(t *testing.T, d1, d2 *Device, stop <-chan struct{}) *forwarder {
	t.Helper()
	pl, err := packet.NewPool(packet.PoolConfig{Buffers: 2048, BigBuffers: 256})
	if err != nil {
		t.Fatal(err)
	}
	ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range []*Device{d1, d2} {
		if err := unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, d.RxNotifyFD(0), &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(i)}); err != nil {
			t.Fatal(err)
		}
	}
	f := &forwarder{done: make(chan error, 1)}
	go func() {
		defer pl.Close()
		defer unix.Close(ep)
		c := pl.NewCache()
		ev := make([]unix.EpollEvent, 2)
		var b packet.Batch
		for {
			select {
			case <-stop:
				f.done <- nil
				return
			default:
			}
			busy := false
			for _, dir := range [][2]*Device{{d1, d2}, {d2, d1}} {
				n, err := dir[0].Rx(0, &b, c)
				if err != nil {
					c.FreeBatch(&b)
					f.done <- err
					return
				}
				if n == 0 {
					continue
				}
				busy = true
				for _, p := range b.Slice() {
					if p.Meta.GSOType != packet.GSONone {
						f.gso.Add(1)
					}
					if p.Meta.CsumPartial {
						f.partial.Add(1)
					}
				}
				f.frames.Add(uint64(n))
				if err := dir[1].Tx(0, &b, c); err != nil {
					f.done <- err
					return
				}
			}
			if !busy {
				unix.EpollWait(ep, ev, 20)
			}
		}
	}()
	return f
}

// tcpInCsumErrors reads the Tcp InCsumErrors counter of namespace ns.
func tcpInCsumErrors(t *testing.T, ns string) int {
	t.Helper()
	out := run(t, ns, "cat", "/proc/net/snmp")
	var names []string
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "Tcp: ") {
			continue
		}
		fields := strings.Fields(line)[1:]
		if names == nil {
			names = fields
			continue
		}
		for i, n := range names {
			if n == "InCsumErrors" && i < len(fields) {
				v, err := strconv.Atoi(fields[i])
				if err != nil {
					t.Fatal(err)
				}
				return v
			}
		}
	}
	t.Fatalf("no Tcp InCsumErrors in /proc/net/snmp of %s:\n%s", ns, out)
	return 0
}

// TestTCPOffload runs a TCP transfer ns1 -> hub -> ns2 over two veth
// pairs with the default offloads (TSO, checksum offload) on: the hub sees
// GSO and partial-checksum frames and forwards them as they are, and the
// receiver gets every byte with no checksum error.
func TestTCPOffload(t *testing.T) {
	ns1 := testnet.NewNetns(t, "gva")
	nsS := testnet.NewNetns(t, "gva")
	ns2 := testnet.NewNetns(t, "gva")
	h1, s1 := testnet.Veth(t, ns1, nsS)
	s2, h2 := testnet.Veth(t, nsS, ns2)
	run(t, ns1, "ip", "addr", "add", "10.97.0.1/24", "dev", h1)
	run(t, ns2, "ip", "addr", "add", "10.97.0.2/24", "dev", h2)
	d1 := openIn(t, nsS, s1, Options{})
	d2 := openIn(t, nsS, s2, Options{})
	stop := make(chan struct{})
	fw := forward(t, d1, d2, stop)
	defer func() {
		close(stop)
		if err := <-fw.done; err != nil {
			t.Errorf("forwarder: %v", err)
		}
	}()

	var ln net.Listener
	inNetns(t, ns2, func() error {
		var err error
		ln, err = net.Listen("tcp4", "10.97.0.2:5001")
		return err
	})
	defer ln.Close()
	type result struct {
		n   int64
		sum [32]byte
		err error
	}
	res := make(chan result, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			res <- result{err: err}
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(20 * time.Second))
		h := sha256.New()
		n, err := io.Copy(h, c)
		var r result
		r.n, r.err = n, err
		copy(r.sum[:], h.Sum(nil))
		res <- r
	}()

	const total = 32 << 20
	data := make([]byte, total)
	for i := range data {
		data[i] = byte(i * 7 / 3)
	}
	var conn net.Conn
	inNetns(t, ns1, func() error {
		var err error
		conn, err = net.DialTimeout("tcp4", "10.97.0.2:5001", 5*time.Second)
		return err
	})
	start := time.Now()
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := conn.Write(data); err != nil {
		t.Fatalf("write: %v", err)
	}
	conn.Close()
	var r result
	select {
	case r = <-res:
	case <-time.After(25 * time.Second):
		t.Fatal("receiver did not finish")
	}
	el := time.Since(start)
	if r.err != nil || r.n != total || r.sum != sha256.Sum256(data) {
		t.Fatalf("received %d of %d bytes (err %v), checksum match %v", r.n, total, r.err, r.sum == sha256.Sum256(data))
	}
	t.Logf("%d MiB in %v (%.1f Gbit/s); hub frames %d, GSO %d, partial %d", total>>20, el,
		float64(total)*8/el.Seconds()/1e9, fw.frames.Load(), fw.gso.Load(), fw.partial.Load())
	if fw.gso.Load() == 0 || fw.partial.Load() == 0 {
		t.Errorf("hub saw no GSO (%d) or no partial-checksum (%d) frames: offloads not in effect", fw.gso.Load(), fw.partial.Load())
	}
	for _, ns := range []string{ns1, ns2} {
		if n := tcpInCsumErrors(t, ns); n != 0 {
			t.Errorf("netns %s: TcpInCsumErrors %d", ns, n)
		}
	}
	for _, d := range []*Device{d1, d2} {
		if st := d.Stats(); st.RxErrors != 0 || st.TxErrors != 0 {
			t.Errorf("%s: stats %+v", d.Name(), st)
		}
	}
}
