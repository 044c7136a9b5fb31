package dummy

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"govs.dev/govs/netdev"
	"govs.dev/govs/packet"
)

func newPool(t testing.TB) (*packet.Pool, *packet.Cache) {
	t.Helper()
	pl, err := packet.NewPool(packet.PoolConfig{Buffers: 512, BigBuffers: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pl.Close() })
	return pl, pl.NewCache()
}

func frame(n int, b byte) []byte { return bytes.Repeat([]byte{b}, n) }

// readable reports whether fd polls readable without blocking.
func readable(t *testing.T, fd int) bool {
	t.Helper()
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	n, err := unix.Poll(fds, 0)
	if err != nil {
		t.Fatal(err)
	}
	return n == 1
}

func TestReceiveRxTx(t *testing.T) {
	_, c := newPool(t)
	tests := []struct {
		name    string
		queue   int
		frames  int
		wantRx  int
		wantDrp uint64
	}{
		{"one", 1, 1, 1, 0},
		{"batch", 100, 40, 40, 0},
		{"overflow", 5, 8, 5, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := New("p1", Options{RxQueueLen: tc.queue, KeepTx: 64})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			fd := d.RxNotifyFD(0)
			if readable(t, fd) {
				t.Fatal("notify fd readable on an empty queue")
			}
			for i := 0; i < tc.frames; i++ {
				if err := d.Receive(frame(60+i, byte(i))); err != nil {
					t.Fatal(err)
				}
			}
			if !readable(t, fd) {
				t.Fatal("notify fd not readable with queued frames")
			}
			got := 0
			for {
				var b packet.Batch
				n, err := d.Rx(0, &b, c)
				if err != nil {
					t.Fatal(err)
				}
				if n == 0 {
					break
				}
				for i, p := range b.Slice() {
					if p.Len() != 60+got+i || p.Data()[0] != byte(got+i) {
						t.Fatalf("packet %d: len %d first %d", got+i, p.Len(), p.Data()[0])
					}
				}
				got += n
				if err := d.Tx(0, &b, c); err != nil {
					t.Fatal(err)
				}
				if b.N != 0 {
					t.Fatal("Tx left packets in the batch")
				}
			}
			if readable(t, fd) {
				t.Fatal("notify fd readable after draining")
			}
			if got != tc.wantRx {
				t.Fatalf("rx %d, want %d", got, tc.wantRx)
			}
			if rx, _ := d.Drops(); rx != tc.wantDrp {
				t.Fatalf("rx drops %d, want %d", rx, tc.wantDrp)
			}
			st := d.Stats()
			if st.RxPackets != uint64(tc.wantRx) || st.TxPackets != uint64(tc.wantRx) {
				t.Fatalf("stats %+v", st)
			}
			if kept := d.TxFrames(); len(kept) != tc.wantRx {
				t.Fatalf("kept %d frames, want %d", len(kept), tc.wantRx)
			}
		})
	}
}

func TestTxTooBig(t *testing.T) {
	_, c := newPool(t)
	d, err := New("p1", Options{MTU: 100})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var b packet.Batch
	b.Add(c.Alloc(114))
	b.Add(c.Alloc(115))
	if err := d.Tx(0, &b, c); err != nil {
		t.Fatal(err)
	}
	if st := d.Stats(); st.TxPackets != 1 {
		t.Fatalf("tx packets %d, want 1", st.TxPackets)
	}
	if _, tx := d.Drops(); tx != 1 {
		t.Fatalf("tx drops %d, want 1", tx)
	}
}

func TestBadInput(t *testing.T) {
	_, c := newPool(t)
	if _, err := New("", Options{}); err == nil {
		t.Fatal("empty name accepted")
	}
	d, err := New("p1", Options{})
	if err != nil {
		t.Fatal(err)
	}
	var b packet.Batch
	if _, err := d.Rx(3, &b, c); !errors.Is(err, netdev.ErrBadQueue) {
		t.Fatalf("rx bad queue: %v", err)
	}
	if err := d.ReceiveQueue(-1, nil); !errors.Is(err, netdev.ErrBadQueue) {
		t.Fatalf("receive bad queue: %v", err)
	}
	if err := d.Receive(make([]byte, MaxFrame+1)); err == nil {
		t.Fatal("oversized frame accepted")
	}
	if err := d.SetFlags(netdev.FlagRunning, 0); !errors.Is(err, netdev.ErrUnsupported) {
		t.Fatalf("set running: %v", err)
	}
	if err := d.SetMTU(10); err == nil {
		t.Fatal("mtu 10 accepted")
	}
	d.Close()
	if err := d.Receive(frame(60, 1)); !errors.Is(err, netdev.ErrClosed) {
		t.Fatalf("receive after close: %v", err)
	}
}

func TestFlags(t *testing.T) {
	d, err := New("p1", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if d.Flags() != netdev.FlagUp|netdev.FlagRunning {
		t.Fatalf("initial flags %v", d.Flags())
	}
	d.SetAdminState(false)
	d.SetLinkState(false)
	if d.Flags() != 0 {
		t.Fatalf("flags %v after down", d.Flags())
	}
	d.SetAdminState(true)
	if d.Flags() != netdev.FlagUp {
		t.Fatalf("flags %v after admin up", d.Flags())
	}
}

func TestPcap(t *testing.T) {
	_, c := newPool(t)
	dir := t.TempDir()
	rxName, txName := filepath.Join(dir, "rx.pcap"), filepath.Join(dir, "tx.pcap")
	d, err := New("p1", Options{RxqPcap: rxName, TxPcap: txName})
	if err != nil {
		t.Fatal(err)
	}
	d.Receive(frame(60, 1), frame(70, 2))
	var b packet.Batch
	d.Rx(0, &b, c)
	c.Free(b.Pkts[1])
	b.N = 1
	d.Tx(0, &b, c)
	d.Close()
	for _, tc := range []struct {
		name string
		lens []int
	}{{rxName, []int{60, 70}}, {txName, []int{60}}} {
		data, err := os.ReadFile(tc.name)
		if err != nil {
			t.Fatal(err)
		}
		if len(data) < 24 || binary.LittleEndian.Uint32(data) != pcapMagic {
			t.Fatalf("%s: bad pcap header", tc.name)
		}
		var lens []int
		for off := 24; off+16 <= len(data); {
			n := int(binary.LittleEndian.Uint32(data[off+8:]))
			lens = append(lens, n)
			off += 16 + n
		}
		if len(lens) != len(tc.lens) || lens[0] != tc.lens[0] {
			t.Fatalf("%s: lengths %v, want %v", tc.name, lens, tc.lens)
		}
	}
}

// TestNotifyClearedByEmptyRx checks the notify fd's life cycle: readable
// once frames are queued, still readable after the Rx that drains the queue
// (a busy loop then pays no eventfd read per batch), cleared by the first Rx
// that finds the queue empty, and readable again with the next frame.
func TestNotifyClearedByEmptyRx(t *testing.T) {
	_, c := newPool(t)
	d, err := New("p1", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	fd := d.RxNotifyFD(0)
	rx := func() int {
		var b packet.Batch
		n, err := d.Rx(0, &b, c)
		if err != nil {
			t.Fatal(err)
		}
		c.FreeBatch(&b)
		return n
	}
	for round := 0; round < 3; round++ {
		if err := d.Receive(frame(60, 1), frame(60, 2)); err != nil {
			t.Fatal(err)
		}
		if !readable(t, fd) {
			t.Fatalf("round %d: notify fd not readable with queued frames", round)
		}
		if n := rx(); n != 2 {
			t.Fatalf("round %d: rx %d frames, want 2", round, n)
		}
		if !readable(t, fd) {
			t.Fatalf("round %d: notify fd cleared by the Rx that drained the queue", round)
		}
		if n := rx(); n != 0 {
			t.Fatalf("round %d: rx %d frames from an empty queue", round, n)
		}
		if readable(t, fd) {
			t.Fatalf("round %d: notify fd still readable after an empty Rx", round)
		}
	}
}
