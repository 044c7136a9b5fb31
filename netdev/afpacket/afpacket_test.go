package afpacket

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"govs.dev/govs/internal/testnet"
	"govs.dev/govs/netdev"
	"govs.dev/govs/netdev/link"
	"govs.dev/govs/packet"
	"govs.dev/govs/packet/header"
)

var (
	macA = [6]byte{0x02, 0, 0, 0, 0, 0x0a}
	macB = [6]byte{0x02, 0, 0, 0, 0, 0x0b}
)

// pair makes a veth pair in a fresh quiet namespace and opens a Device on
// end a.
func pair(t *testing.T) (ns, a, b string, d *Device) {
	t.Helper()
	ns = testnet.NewNetns(t, "gva")
	quietNetns(t, ns)
	a, b = testnet.Veth(t, ns, ns)
	d = openIn(t, ns, a, Options{})
	return ns, a, b, d
}

func TestOpenBasics(t *testing.T) {
	ns, a, _, d := pair(t)
	if d.Name() != a || d.Type() != "system" || d.Ifindex() <= 0 || d.NumRxQueues() != 1 || d.NumTxQueues() != 1 {
		t.Fatalf("device %s: type %q ifindex %d queues %d/%d", d.Name(), d.Type(), d.Ifindex(), d.NumRxQueues(), d.NumTxQueues())
	}
	if d.RxNotifyFD(0) < 0 || d.RxNotifyFD(1) != -1 {
		t.Fatalf("RxNotifyFD: %d, %d", d.RxNotifyFD(0), d.RxNotifyFD(1))
	}
	want := netdev.CapTxCsum | netdev.CapTSO4 | netdev.CapTSO6 | netdev.CapRxCsum | netdev.CapTxUDPGSO
	if d.Capabilities() != want {
		t.Fatalf("caps %#x, want %#x", d.Capabilities(), want)
	}
	if err := d.SetMTU(1400); err != nil {
		t.Fatal(err)
	}
	if err := d.SetMAC(macA); err != nil {
		t.Fatal(err)
	}
	if err := d.SetFlags(netdev.FlagPromisc, 0); err != nil {
		t.Fatal(err)
	}
	if d.MTU() != 1400 || d.MAC() != macA || d.Flags()&(netdev.FlagUp|netdev.FlagPromisc|netdev.FlagRunning) != netdev.FlagUp|netdev.FlagPromisc|netdev.FlagRunning {
		t.Fatalf("after set: mtu %d mac %x flags %#x", d.MTU(), d.MAC(), d.Flags())
	}
	if out := run(t, ns, "cat", "/sys/class/net/"+a+"/mtu"); out != "1400\n" {
		t.Fatalf("kernel mtu %q", out)
	}
	for _, name := range []string{"", "gvnosuchdev0"} {
		var err error
		inNetns(t, ns, func() error { _, err = Open(name, Options{}); return nil })
		if err == nil {
			t.Fatalf("Open(%q) succeeded", name)
		}
	}
	var err error
	inNetns(t, ns, func() error { _, err = Open(a, Options{TxQueues: -1}); return nil })
	if !errors.Is(err, netdev.ErrBadQueue) {
		t.Fatalf("Open with -1 tx queues: %v", err)
	}
}

func TestRxFromPeer(t *testing.T) {
	ns, _, b, d := pair(t)
	_, c := newPool(t)
	peer := openRaw(t, ns, b)
	sizes := []int{60, 64, 1514, 1000, 200}
	var sent [][]byte
	for i, n := range sizes {
		f := testFrame(macA, macB, byte(i), n)
		sent = append(sent, f)
		peer.send(t, f)
	}
	var got packet.Batch
	rxWait(t, d, &got, c, len(sent), 5*time.Second)
	defer c.FreeBatch(&got)
	var frames [][]byte
	for _, p := range got.Slice() {
		if isTest(p.Data()) {
			frames = append(frames, p.Data())
		}
	}
	if len(frames) != len(sent) {
		t.Fatalf("received %d test frames, want %d", len(frames), len(sent))
	}
	for i := range sent {
		if !bytes.Equal(frames[i], sent[i]) {
			t.Errorf("frame %d: got %x\nwant %x", i, frames[i], sent[i])
		}
	}
	st := d.Stats()
	if st.RxPackets < uint64(len(sent)) || st.RxErrors != 0 || st.RxDropped != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestTxToPeer(t *testing.T) {
	ns, _, b, d := pair(t)
	_, c := newPool(t)
	peer := openRaw(t, ns, b)
	// A fresh device must not see its own transmissions.
	for _, n := range []int{60, 1514, 300} {
		var bt packet.Batch
		f := testFrame(macB, macA, byte(n), n)
		p := c.Alloc(len(f))
		copy(p.Data(), f)
		bt.Add(p)
		if err := d.Tx(0, &bt, c); err != nil {
			t.Fatal(err)
		}
		if bt.N != 0 {
			t.Fatalf("Tx left %d packets in the batch", bt.N)
		}
		got := peer.recv(time.Now().Add(3*time.Second), isTest)
		if !bytes.Equal(got, f) {
			t.Fatalf("peer got %x\nwant %x", got, f)
		}
	}
	var echo packet.Batch
	d.Rx(0, &echo, c)
	for _, p := range echo.Slice() {
		if isTest(p.Data()) {
			t.Errorf("device received its own frame %x", p.Data())
		}
	}
	c.FreeBatch(&echo)
	if st := d.Stats(); st.TxPackets < 3 || st.TxDropped != 0 || st.TxErrors != 0 {
		t.Errorf("stats %+v", st)
	}
}

// tagged returns f with an 802.1Q-style tag (tpid, tci) after the MACs.
func tagged(f []byte, tpid, tci uint16) []byte {
	out := append([]byte(nil), f[:12]...)
	out = binary.BigEndian.AppendUint16(out, tpid)
	out = binary.BigEndian.AppendUint16(out, tci)
	return append(out, f[12:]...)
}

func TestVLAN(t *testing.T) {
	ns, _, b, d := pair(t)
	_, c := newPool(t)
	peer := openRaw(t, ns, b)
	peerDev := openIn(t, ns, b, Options{})
	cases := []struct {
		name      string
		tpid, tci uint16
	}{
		{"8021q", 0x8100, 100},
		{"8021q-pcp", 0x8100, 5<<13 | 4094},
		{"priority-tag", 0x8100, 3 << 13},
		{"8021ad", 0x88a8, 10},
	}
	isTagged := func(f []byte) bool { return len(f) >= 18 && f[16] == 0x88 && f[17] == 0xb5 }
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := tagged(testFrame(macA, macB, byte(i), 100), tc.tpid, tc.tci)
			// Rx: the kernel strips the tag; the device puts it back.
			peer.send(t, f)
			var got packet.Batch
			rxWait(t, d, &got, c, 1, 3*time.Second)
			defer c.FreeBatch(&got)
			if got.N != 1 || !bytes.Equal(got.Pkts[0].Data(), f) {
				t.Fatalf("rx: got %d packets, first %x\nwant %x", got.N, got.Pkts[0].Data(), f)
			}
			// Tx: the tag goes out in the frame and the peer device sees it.
			var out packet.Batch
			p := c.Alloc(len(f))
			copy(p.Data(), f)
			out.Add(p)
			if err := d.Tx(0, &out, c); err != nil {
				t.Fatal(err)
			}
			var back packet.Batch
			defer c.FreeBatch(&back)
			end := time.Now().Add(3 * time.Second)
			for time.Now().Before(end) {
				rxWait(t, peerDev, &back, c, 1, time.Until(end))
				if back.N > 0 && isTagged(back.Pkts[back.N-1].Data()) {
					break
				}
			}
			if back.N == 0 || !bytes.Equal(back.Pkts[back.N-1].Data(), f) {
				t.Fatalf("tx: peer got %d packets, want %x", back.N, f)
			}
		})
	}
}

func TestGone(t *testing.T) {
	ns, a, b, d := pair(t)
	_, c := newPool(t)
	peer := openRaw(t, ns, b)
	peer.send(t, testFrame(macA, macB, 1, 60))
	run(t, ns, "ip", "link", "del", a)
	var bt packet.Batch
	var err error
	for i := 0; i < 100 && !errors.Is(err, ErrGone); i++ {
		c.FreeBatch(&bt)
		_, err = d.Rx(0, &bt, c)
	}
	c.FreeBatch(&bt)
	if !errors.Is(err, ErrGone) || !errors.Is(err, netdev.ErrClosed) {
		t.Fatalf("Rx after the veth was deleted: %v, want ErrGone and ErrClosed", err)
	}
	// The dead socket must not wake an epoll loop.
	ep, _ := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	defer unix.Close(ep)
	unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, d.RxNotifyFD(0), &unix.EpollEvent{Events: unix.EPOLLIN})
	if n, _ := unix.EpollWait(ep, make([]unix.EpollEvent, 1), 50); n != 0 {
		t.Errorf("epoll reports the dead socket ready")
	}
	p := c.Alloc(60)
	bt.Add(p)
	if err := d.Tx(0, &bt, c); !errors.Is(err, ErrGone) {
		t.Errorf("Tx after delete: %v, want ErrGone", err)
	}
	if bt.N != 0 {
		t.Errorf("Tx kept %d packets", bt.N)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := d.Rx(0, &bt, c); !errors.Is(err, netdev.ErrClosed) {
		t.Errorf("Rx after Close: %v", err)
	}
	if err := d.SetMTU(1400); !errors.Is(err, netdev.ErrClosed) {
		t.Errorf("SetMTU after Close: %v", err)
	}
	_, _ = d.MAC(), d.Stats()
	if st := c.Pool().Stats(); st.InUse() != 0 {
		t.Errorf("%d buffers still in use after Close", st.InUse())
	}
}

func TestTxTransientErrors(t *testing.T) {
	ns, a, b, d := pair(t)
	_, c := newPool(t)
	peer := openRaw(t, ns, b)
	mk := func(n int) *packet.Packet {
		f := testFrame(macB, macA, 7, n)
		p := c.Alloc(len(f))
		copy(p.Data(), f)
		return p
	}
	// A frame over the MTU is refused alone; the rest of the batch goes.
	var bt packet.Batch
	bt.Add(mk(60))
	bt.Add(mk(3000))
	bt.Add(mk(61))
	if err := d.Tx(0, &bt, c); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{60, 61} {
		if f := peer.recv(time.Now().Add(2*time.Second), isTest); len(f) != n {
			t.Fatalf("peer got a %d-byte frame, want %d", len(f), n)
		}
	}
	if st := d.Stats(); st.TxErrors != 1 {
		t.Errorf("tx errors %d, want 1", st.TxErrors)
	}
	// Down: dropped and counted, no error, the device stays usable.
	run(t, ns, "ip", "link", "set", a, "down")
	bt.Add(mk(60))
	if err := d.Tx(0, &bt, c); err != nil {
		t.Fatalf("Tx on a down interface: %v", err)
	}
	if st := d.Stats(); st.TxDropped != 1 {
		t.Errorf("tx dropped %d, want 1", st.TxDropped)
	}
	var rb packet.Batch
	for range 3 {
		if _, err := d.Rx(0, &rb, c); err != nil {
			t.Fatalf("Rx on a down interface: %v", err)
		}
	}
	c.FreeBatch(&rb)
	run(t, ns, "ip", "link", "set", a, "up")
	// Both ends must be operationally up again: until then the kernel
	// gives the peer a qdisc that drops everything.
	var h *link.Handle
	inNetns(t, ns, func() error {
		var err error
		h, err = link.NewHandle()
		return err
	})
	defer h.Close()
	running := func(name string) bool {
		in, err := h.ByName(name)
		return err == nil && in.Flags&netdev.FlagRunning != 0
	}
	end := time.Now().Add(5 * time.Second)
	for !(running(a) && running(b)) && time.Now().Before(end) {
		time.Sleep(10 * time.Millisecond) // polling the operational state, bounded
	}
	// The qdisc is activated just after the state changes: resend until
	// a frame gets through, bounded.
	for end := time.Now().Add(3 * time.Second); rb.N == 0 && time.Now().Before(end); {
		peer.send(t, testFrame(macA, macB, 9, 60))
		rxWait(t, d, &rb, c, 1, 200*time.Millisecond)
	}
	if rb.N == 0 {
		t.Fatalf("after up again: received %d frames", rb.N)
	}
	c.FreeBatch(&rb)
}

func TestUDPGSOTx(t *testing.T) {
	ns := testnet.NewNetns(t, "gva")
	ns2 := testnet.NewNetns(t, "gva")
	a, b := testnet.Veth(t, ns, ns2)
	run(t, ns2, "ip", "addr", "add", "10.98.0.2/24", "dev", b)
	d := openIn(t, ns, a, Options{})
	_, c := newPool(t)
	var fd int
	var bMAC [6]byte
	inNetns(t, ns2, func() error {
		var err error
		fd, err = unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return err
		}
		tv := unix.Timeval{Usec: 200000}
		unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
		return unix.Bind(fd, &unix.SockaddrInet4{Port: 4789, Addr: [4]byte{10, 98, 0, 2}})
	})
	defer unix.Close(fd)
	inNetns(t, ns2, func() error {
		in, err := link.ByName(b)
		bMAC = in.MAC
		return err
	})
	const mss, segs = 1000, 3
	f := udpGSOFrame(bMAC, macA, [4]byte{10, 98, 0, 1}, [4]byte{10, 98, 0, 2}, mss*segs)
	p := c.Alloc(len(f))
	copy(p.Data(), f)
	p.Meta.GSOType, p.Meta.GSOSize = packet.GSOUDPL4, mss
	p.Meta.CsumPartial, p.Meta.CsumStart, p.Meta.CsumOffset = true, 34, 6
	var bt packet.Batch
	bt.Add(p)
	if err := d.Tx(0, &bt, c); err != nil {
		t.Fatal(err)
	}
	if st := d.Stats(); st.TxErrors != 0 {
		t.Fatalf("kernel refused the UDP GSO frame: %+v", st)
	}
	buf := make([]byte, 65536)
	for i := range segs {
		n, _, err := unix.Recvfrom(fd, buf, 0)
		if err != nil {
			t.Fatalf("datagram %d of %d: %v", i, segs, err)
		}
		if n != mss || buf[0] != byte(i*mss) {
			t.Fatalf("datagram %d: %d bytes starting %d", i, n, buf[0])
		}
	}
}

// udpGSOFrame builds an IPv4/UDP frame to port 4789 with a partial
// checksum (the pseudo-header sum in the checksum field), as a GSO sender
// would.
func udpGSOFrame(dst, src [6]byte, sip, dip [4]byte, payload int) []byte {
	f := make([]byte, 14+20+8+payload)
	copy(f, dst[:])
	copy(f[6:], src[:])
	f[12], f[13] = 0x08, 0x00
	ip := header.IPv4(f[14:])
	ip[0] = 0x45
	ip.SetTotalLength(uint16(20 + 8 + payload))
	ip[8], ip[9] = 64, 17
	copy(ip[12:16], sip[:])
	copy(ip[16:20], dip[:])
	ip.UpdateChecksum()
	u := header.UDP(f[34:])
	u.SetSrcPort(5000)
	u.SetDstPort(4789)
	u.SetLength(uint16(8 + payload))
	u.SetChecksum(^header.Checksum(nil, ip.PseudoHeaderSum(17, uint16(8+payload))))
	for i := range payload {
		f[42+i] = byte(i)
	}
	return f
}
