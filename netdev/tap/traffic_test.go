package tap

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"golang.org/x/sys/unix"

	"govs.dev/govs/internal/testnet"
	"govs.dev/govs/netdev"
	"govs.dev/govs/packet"
	"govs.dev/govs/packet/header"
)

var (
	peerMAC = net.HardwareAddr{0x02, 0, 0, 0, 0, 0x02}
	tapMAC  = [6]byte{0x02, 0, 0, 0, 0, 0x01}
)

// serialize builds a frame with lengths and checksums computed.
func serialize(t testing.TB, ls ...gopacket.SerializableLayer) []byte {
	t.Helper()
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// txFrames transmits frames on d.
func txFrames(t testing.TB, d *Device, c *packet.Cache, frames ...[]byte) {
	t.Helper()
	var b packet.Batch
	for _, f := range frames {
		p := c.Alloc(len(f))
		if p == nil {
			t.Fatal("pool exhausted")
		}
		copy(p.Data(), f)
		b.Add(p)
	}
	if err := d.Tx(0, &b, c); err != nil {
		t.Fatal(err)
	}
}

// answer builds the reply a host at peerIP would send to an ARP request or
// an ICMP echo request, or returns nil.
func answer(t testing.TB, frame []byte, peerIP net.IP) []byte {
	pkt := gopacket.NewPacket(frame, layers.LayerTypeEthernet, gopacket.NoCopy)
	eth, _ := pkt.Layer(layers.LayerTypeEthernet).(*layers.Ethernet)
	if eth == nil {
		return nil
	}
	if arp, _ := pkt.Layer(layers.LayerTypeARP).(*layers.ARP); arp != nil {
		if arp.Operation != layers.ARPRequest || !net.IP(arp.DstProtAddress).Equal(peerIP) {
			return nil
		}
		return serialize(t,
			&layers.Ethernet{SrcMAC: peerMAC, DstMAC: eth.SrcMAC, EthernetType: layers.EthernetTypeARP},
			&layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4, HwAddressSize: 6, ProtAddressSize: 4,
				Operation: layers.ARPReply, SourceHwAddress: peerMAC, SourceProtAddress: peerIP.To4(),
				DstHwAddress: arp.SourceHwAddress, DstProtAddress: arp.SourceProtAddress})
	}
	ip, _ := pkt.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
	icmp, _ := pkt.Layer(layers.LayerTypeICMPv4).(*layers.ICMPv4)
	if ip == nil || icmp == nil || icmp.TypeCode.Type() != layers.ICMPv4TypeEchoRequest || !ip.DstIP.Equal(peerIP) {
		return nil
	}
	return serialize(t,
		&layers.Ethernet{SrcMAC: peerMAC, DstMAC: eth.SrcMAC, EthernetType: layers.EthernetTypeIPv4},
		&layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolICMPv4, SrcIP: ip.DstIP, DstIP: ip.SrcIP},
		&layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(layers.ICMPv4TypeEchoReply, 0), Id: icmp.Id, Seq: icmp.Seq},
		gopacket.Payload(icmp.Payload))
}

// TestHostStackPing lets "ping" in the tap's namespace resolve and ping a
// neighbour that the test plays through the tap: the host stack's ARP
// requests and echo requests are received, and the ARP and echo replies the
// test transmits are accepted by the host stack.
func TestHostStackPing(t *testing.T) {
	ns := newNS(t)
	_, c := newPool(t)
	d := openIn(t, ns, "gt-ping", Options{MAC: &tapMAC})
	upWithAddr(t, ns, d, "10.10.0.1/24")
	peerIP := net.IPv4(10, 10, 0, 2)

	done := make(chan string, 1)
	go func() {
		out, err := testnet.ExecIn(ns, 15*time.Second, "ping", "-n", "-c", "3", "-i", "0.2", "-W", "3", peerIP.String())
		if err != nil {
			out += err.Error()
		}
		done <- out
	}()
	var b packet.Batch
	var arps, echoes int
	deadline := time.Now().Add(12 * time.Second)
	var out string
loop:
	for time.Now().Before(deadline) {
		select {
		case out = <-done:
			break loop
		default:
		}
		waitReadable(d.RxNotifyFD(0), 50)
		if _, err := d.Rx(0, &b, c); err != nil {
			t.Fatal(err)
		}
		var replies [][]byte
		for _, p := range b.Slice() {
			if r := answer(t, p.Data(), peerIP); r != nil {
				replies = append(replies, r)
				if binary.BigEndian.Uint16(r[12:]) == uint16(layers.EthernetTypeARP) {
					arps++
				} else {
					echoes++
				}
			}
		}
		c.FreeBatch(&b)
		if len(replies) > 0 {
			txFrames(t, d, c, replies...)
		}
	}
	if out == "" {
		t.Fatal("ping did not finish")
	}
	if !strings.Contains(out, "3 received") {
		t.Fatalf("ping failed (arp requests %d, echo requests %d):\n%s", arps, echoes, out)
	}
	if arps == 0 || echoes < 3 {
		t.Fatalf("answered %d ARP and %d echo requests", arps, echoes)
	}
	if n := run(t, ns, "ip", "neigh", "show", peerIP.String()); !strings.Contains(n, peerMAC.String()) {
		t.Fatalf("ARP reply not learnt: %s", n)
	}
	s := d.Stats()
	if s.RxPackets < uint64(arps+echoes) || s.TxPackets < uint64(arps+echoes) {
		t.Fatalf("stats %+v after %d requests answered", s, arps+echoes)
	}
	t.Logf("stats %+v", s)
}

// TestHostStackUDP sends UDP from a socket in the tap's namespace and checks
// what the tap reads: a checksum-partial datagram whose checksum completes
// correctly, and (where the kernel offers UDP segmentation offload) a UDP
// GSO packet read whole.
func TestHostStackUDP(t *testing.T) {
	ns := newNS(t)
	_, c := newPool(t)
	d := openIn(t, ns, "gt-udp", Options{MAC: &tapMAC})
	upWithAddr(t, ns, d, "10.10.1.1/24")
	run(t, ns, "ip", "neigh", "replace", "10.10.1.2", "lladdr", peerMAC.String(), "dev", d.Name(), "nud", "permanent")

	var conn *net.UDPConn
	var err error
	inNS(t, ns, func() {
		conn, err = net.DialUDP("udp4", nil, &net.UDPAddr{IP: net.IPv4(10, 10, 1, 2), Port: 7777})
	})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	small := bytes.Repeat([]byte("govs"), 250)
	if _, err := conn.Write(small); err != nil {
		t.Fatal(err)
	}
	wantGSO := d.Capabilities()&netdev.CapTxUDPGSO != 0
	big := bytes.Repeat([]byte{0xab}, 5000)
	if wantGSO {
		rc, err := conn.SyscallConn()
		if err != nil {
			t.Fatal(err)
		}
		var serr error
		rc.Control(func(fd uintptr) { serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_UDP, unix.UDP_SEGMENT, 1000) })
		if serr != nil {
			t.Fatalf("UDP_SEGMENT: %v", serr)
		}
		if _, err := conn.Write(big); err != nil {
			t.Fatal(err)
		}
	}

	var b packet.Batch
	var gotSmall, gotBig bool
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && !(gotSmall && (gotBig || !wantGSO)) {
		waitReadable(d.RxNotifyFD(0), 50)
		if _, err := d.Rx(0, &b, c); err != nil {
			t.Fatal(err)
		}
		for _, p := range b.Slice() {
			data := p.Data()
			if len(data) < 42 || binary.BigEndian.Uint16(data[12:]) != 0x0800 || data[23] != 17 ||
				binary.BigEndian.Uint16(data[36:]) != 7777 {
				continue
			}
			m := p.Meta
			t.Logf("udp frame %d bytes: partial %v start %d offset %d verified %v gso %d/%d",
				len(data), m.CsumPartial, m.CsumStart, m.CsumOffset, m.CsumVerified, m.GSOType, m.GSOSize)
			switch {
			case bytes.Equal(data[42:], small):
				gotSmall = true
				if err := packet.CompleteChecksum(p); err != nil {
					t.Fatal(err)
				}
				ip := header.IPv4(data[14:])
				pseudo := header.PseudoHeaderSumIPv4(binary.BigEndian.Uint32(ip[12:]), binary.BigEndian.Uint32(ip[16:]), 17, uint16(len(data)-34))
				if cs := header.Checksum(data[34:], pseudo); cs != 0 {
					t.Fatalf("UDP checksum does not verify (residue %#x)", cs)
				}
			case bytes.Equal(data[42:], big):
				gotBig = true
				if m.GSOType != packet.GSOUDPL4 || m.GSOSize != 1000 || !m.CsumPartial {
					t.Fatalf("UDP GSO packet read with offload state %+v", m)
				}
			default:
				t.Fatalf("unexpected UDP frame of %d bytes", len(data))
			}
		}
		c.FreeBatch(&b)
	}
	if !gotSmall || wantGSO && !gotBig {
		t.Fatalf("received small %v big %v (UDP GSO offered %v)", gotSmall, gotBig, wantGSO)
	}
}

// wire forwards every frame between two taps, like a two-port switch,
// until ctx ends, and counts what it saw.
type wire struct {
	frames, gso, partial, big, maxLen atomic.Int64
}

func (w *wire) run(ctx context.Context, pl *packet.Pool, a, b *Device) error {
	c := pl.NewCache()
	defer c.Release()
	var batch packet.Batch
	fds := []unix.PollFd{{Fd: int32(a.RxNotifyFD(0)), Events: unix.POLLIN}, {Fd: int32(b.RxNotifyFD(0)), Events: unix.POLLIN}}
	for ctx.Err() == nil {
		if _, err := unix.Poll(fds, 20); err != nil && err != unix.EINTR {
			return err
		}
		for _, dir := range [2][2]*Device{{a, b}, {b, a}} {
			if _, err := dir[0].Rx(0, &batch, c); err != nil {
				return err
			}
			for _, p := range batch.Slice() {
				w.frames.Add(1)
				if p.Meta.GSOType != packet.GSONone {
					w.gso.Add(1)
				}
				if p.Meta.CsumPartial {
					w.partial.Add(1)
				}
				if p.Len() > packet.SmallCapacity {
					w.big.Add(1)
				}
				if int64(p.Len()) > w.maxLen.Load() {
					w.maxLen.Store(int64(p.Len()))
				}
			}
			if err := dir[1].Tx(0, &batch, c); err != nil {
				return err
			}
		}
	}
	return nil
}

// tcpInCsumErrors reads TcpInCsumErrors of namespace ns.
func tcpInCsumErrors(t testing.TB, ns string) int {
	t.Helper()
	out := run(t, ns, "cat", "/proc/net/snmp")
	var names []string
	for _, l := range strings.Split(out, "\n") {
		if !strings.HasPrefix(l, "Tcp: ") {
			continue
		}
		f := strings.Fields(l)[1:]
		if names == nil {
			names = f
			continue
		}
		for i, n := range names {
			if n == "InCsumErrors" && i < len(f) {
				v, _ := strconv.Atoi(f[i])
				return v
			}
		}
	}
	t.Fatalf("no TcpInCsumErrors in /proc/net/snmp:\n%s", out)
	return 0
}

// TestTCPThroughTwoTaps connects two namespaces through two taps and a
// forwarder reading one and writing the other. The host stacks send TSO
// packets and partial checksums through the taps (default offloads); the
// forwarder must read the GSO packets whole and the other tap must accept
// them as they are, for TCP to work with no checksum errors.
func TestTCPThroughTwoTaps(t *testing.T) {
	nsA, nsB := newNS(t), newNS(t)
	pl, _ := newPool(t)
	a := openIn(t, nsA, "gt-a", Options{})
	b := openIn(t, nsB, "gt-b", Options{})
	upWithAddr(t, nsA, a, "10.11.0.1/24")
	upWithAddr(t, nsB, b, "10.11.0.2/24")

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var w wire
	var wg sync.WaitGroup
	var werr error
	wg.Add(1)
	go func() { defer wg.Done(); werr = w.run(ctx, pl, a, b) }()
	defer func() {
		cancel()
		wg.Wait()
		if werr != nil {
			t.Errorf("forwarder: %v", werr)
		}
	}()

	var ln net.Listener
	var err error
	inNS(t, nsB, func() { ln, err = net.Listen("tcp4", "10.11.0.2:0") })
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	type result struct {
		n   int64
		sum [32]byte
		err error
	}
	got := make(chan result, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			got <- result{err: err}
			return
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(25 * time.Second))
		h := sha256.New()
		n, err := io.Copy(h, conn)
		var r result
		r.n, r.err = n, err
		copy(r.sum[:], h.Sum(nil))
		got <- r
	}()

	const size = 16 << 20
	payload := make([]byte, size)
	for i := range payload {
		payload[i] = byte(i*131 + i>>9)
	}
	var conn net.Conn
	inNS(t, nsA, func() {
		var dl net.Dialer
		dl.Timeout = 10 * time.Second
		conn, err = dl.DialContext(ctx, "tcp4", ln.Addr().String())
	})
	if err != nil {
		t.Fatalf("connect through the taps: %v (forwarded %d frames)", err, w.frames.Load())
	}
	conn.SetDeadline(time.Now().Add(25 * time.Second))
	start := time.Now()
	if _, err := conn.Write(payload); err != nil {
		t.Fatalf("write: %v", err)
	}
	conn.Close()
	r := <-got
	el := time.Since(start)
	if r.err != nil {
		t.Fatalf("receive: %v after %d bytes", r.err, r.n)
	}
	if r.n != size || r.sum != sha256.Sum256(payload) {
		t.Fatalf("received %d bytes, want %d, digest match %v", r.n, size, r.sum == sha256.Sum256(payload))
	}
	t.Logf("%d MiB in %v (%.2f Gbit/s): %d frames, %d GSO, %d partial, %d bigger than a small buffer, largest %d",
		size>>20, el.Round(time.Millisecond), float64(size*8)/el.Seconds()/1e9,
		w.frames.Load(), w.gso.Load(), w.partial.Load(), w.big.Load(), w.maxLen.Load())
	if w.gso.Load() == 0 || w.big.Load() == 0 {
		t.Fatal("no GSO packet went through the taps: offloads not in effect")
	}
	for _, ns := range []string{nsA, nsB} {
		if n := tcpInCsumErrors(t, ns); n != 0 {
			t.Fatalf("netns %s: TcpInCsumErrors %d", ns, n)
		}
	}
	for _, d := range []*Device{a, b} {
		s := d.Stats()
		if s.TxErrors != 0 || s.RxErrors != 0 {
			t.Fatalf("%s: stats %+v", d.Name(), s)
		}
		t.Logf("%s: %s", d.Name(), fmt.Sprintf("%+v", s))
	}
}

// TestDropsCounted checks the device's own counters: frames transmitted
// while the interface is down are dropped and counted as tx drops, and a
// frame that arrives when the pool has no buffer is read, dropped and
// counted as an rx drop (so that the file descriptor does not stay
// readable).
func TestDropsCounted(t *testing.T) {
	d, c, frame, ns := echoSetup(t, 56, 1500)
	before := d.Stats()

	run(t, ns, "ip", "link", "set", d.Name(), "down")
	txFrames(t, d, c, frame, frame, frame)
	if s := d.Stats(); s.TxDropped != before.TxDropped+3 || s.TxPackets != before.TxPackets {
		t.Fatalf("after 3 frames sent while down: stats %+v, before %+v", s, before)
	}
	run(t, ns, "ip", "link", "set", d.Name(), "up")
	// Going down flushed the static neighbour entry.
	run(t, ns, "ip", "neigh", "replace", "10.12.0.2", "lladdr", peerMAC.String(), "dev", d.Name(), "nud", "permanent")

	// Send an echo request, then hold every small buffer before the reply
	// is read.
	txFrames(t, d, c, frame)
	var held []*packet.Packet
	for {
		p := c.Alloc(64)
		if p == nil {
			break
		}
		held = append(held, p)
	}
	defer func() {
		for _, p := range held {
			c.Free(p)
		}
	}()
	waitReadable(d.RxNotifyFD(0), 1000)
	var b packet.Batch
	if n, err := d.Rx(0, &b, c); n != 0 || err != nil {
		t.Fatalf("Rx with an exhausted pool: %d packets, %v", n, err)
	}
	fds := []unix.PollFd{{Fd: int32(d.RxNotifyFD(0)), Events: unix.POLLIN}}
	if n, _ := unix.Poll(fds, 0); n != 0 {
		t.Fatal("tap still readable after Rx dropped the frame")
	}
	if s := d.Stats(); s.RxDropped != before.RxDropped+1 || s.RxPackets != before.RxPackets+1 {
		t.Fatalf("after one frame dropped for want of a buffer: stats %+v, before %+v", s, before)
	}
}
