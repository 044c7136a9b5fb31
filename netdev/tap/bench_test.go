package tap

import (
	"net"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"govs.dev/govs/packet"
)

// echoSetup opens a tap whose host stack answers ICMP echo requests from a
// neighbour at 10.12.0.2 (a static neighbour entry, so no ARP is needed),
// and returns the request frame and the namespace. With an MTU above the frame size the
// reply comes back in one frame.
func echoSetup(t testing.TB, payload, mtu int) (*Device, *packet.Cache, []byte, string) {
	ns := newNS(t)
	_, c := newPool(t)
	d := openIn(t, ns, "gt-echo", Options{MAC: &tapMAC, MTU: mtu})
	upWithAddr(t, ns, d, "10.12.0.1/24")
	run(t, ns, "ip", "neigh", "replace", "10.12.0.2", "lladdr", peerMAC.String(), "dev", d.Name(), "nud", "permanent")
	frame := serialize(t,
		&layers.Ethernet{SrcMAC: peerMAC, DstMAC: net.HardwareAddr(tapMAC[:]), EthernetType: layers.EthernetTypeIPv4},
		&layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolICMPv4, SrcIP: net.IPv4(10, 12, 0, 2), DstIP: net.IPv4(10, 12, 0, 1)},
		&layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(layers.ICMPv4TypeEchoRequest, 0), Id: 7, Seq: 1},
		gopacket.Payload(make([]byte, payload)))
	return d, c, frame, ns
}

// echo transmits the echo request and receives the host stack's reply
// (bounded: about a second at most). It returns the length of the first
// frame that came back, 0 if none did.
func echo(d *Device, c *packet.Cache, b *packet.Batch, frame []byte) int {
	p := c.Alloc(len(frame))
	if p == nil {
		return 0
	}
	copy(p.Data(), frame)
	b.Add(p)
	if d.Tx(0, b, c) != nil {
		return 0
	}
	for range 100 {
		n, err := d.Rx(0, b, c)
		if err != nil {
			return 0
		}
		if n > 0 {
			l := b.Pkts[0].Len()
			c.FreeBatch(b)
			return l
		}
		waitReadable(d.fd, 10)
	}
	return 0
}

// TestRxTxAllocs checks that a Tx and an Rx allocate nothing on the Go
// heap, with a frame that fits a small buffer and one that spills into a
// big one.
func TestRxTxAllocs(t *testing.T) {
	for _, tc := range []struct {
		name         string
		payload, mtu int
	}{
		{"small", 56, 1500},
		{"spill", 8000, 9000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, c, frame, _ := echoSetup(t, tc.payload, tc.mtu)
			var b packet.Batch
			if n := echo(d, c, &b, frame); n != len(frame) {
				t.Fatalf("echo reply of %d bytes, want %d", n, len(frame))
			}
			failed := 0
			allocs := testing.AllocsPerRun(200, func() {
				if echo(d, c, &b, frame) != len(frame) {
					failed++
				}
			})
			if failed > 0 {
				t.Fatalf("%d echo requests unanswered", failed)
			}
			if allocs != 0 {
				t.Fatalf("%v allocations per Tx+Rx", allocs)
			}
		})
	}
}

// BenchmarkEcho measures a Tx of an echo request through the tap and the
// Rx of the host stack's reply.
func BenchmarkEcho(b *testing.B) {
	d, c, frame, _ := echoSetup(b, 56, 1500)
	var bt packet.Batch
	b.ReportAllocs()
	for b.Loop() {
		if echo(d, c, &bt, frame) == 0 {
			b.Fatal("no echo reply")
		}
	}
}
