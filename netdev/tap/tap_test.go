package tap

import (
	"errors"
	"strings"
	"testing"

	"govs.dev/govs/netdev"
	"govs.dev/govs/packet"
	"govs.dev/govs/packet/header"
)

func TestOpenRejectsBadArguments(t *testing.T) {
	for _, tc := range []struct {
		name  string
		ifn   string
		opts  Options
		wants string
	}{
		{"bad type", "gt0", Options{Type: "system"}, "interface type"},
		{"empty name", "", Options{}, "invalid interface name"},
		{"long name", "abcdefghijklmnop", Options{}, "invalid interface name"},
		{"slash", "a/b", Options{}, "invalid interface name"},
		{"dot", ".", Options{}, "invalid interface name"},
		{"mtu", "gt0", Options{MTU: 70000}, "mtu"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Open(tc.ifn, tc.opts)
			if err == nil {
				d.Delete()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tc.wants) {
				t.Fatalf("error %q does not mention %q", err, tc.wants)
			}
		})
	}
}

func TestCreateAdoptDelete(t *testing.T) {
	ns := newNS(t)
	mac := [6]byte{0x02, 0x00, 0x5e, 0x10, 0x20, 0x30}
	d := openIn(t, ns, "br-gv0", Options{MAC: &mac, MTU: 1400})
	if !d.Created() {
		t.Fatal("first Open did not create the device")
	}
	if d.Type() != TypeInternal || d.Name() != "br-gv0" {
		t.Fatalf("type %q name %q", d.Type(), d.Name())
	}
	if d.MAC() != mac || d.MTU() != 1400 {
		t.Fatalf("mac %x mtu %d, want %x 1400", d.MAC(), d.MTU(), mac)
	}
	caps := d.Capabilities()
	want := netdev.CapTxCsum | netdev.CapTSO4 | netdev.CapTSO6 | netdev.CapRxCsum
	if caps&want != want {
		t.Fatalf("capabilities %#x lack %#x", caps, want)
	}
	t.Logf("capabilities %#x (UDP GSO %v)", caps, caps&netdev.CapTxUDPGSO != 0)
	upWithAddr(t, ns, d, "10.9.0.1/24")
	idx := d.Ifindex()
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if !linkExists(t, ns, "br-gv0") {
		t.Fatal("Close removed the persistent tap")
	}
	var b packet.Batch
	_, c := newPool(t)
	if _, err := d.Rx(0, &b, c); !errors.Is(err, netdev.ErrClosed) {
		t.Fatalf("Rx after Close: %v", err)
	}

	d2 := openIn(t, ns, "br-gv0", Options{Type: TypeTap})
	if d2.Created() {
		t.Fatal("second Open created the device instead of adopting it")
	}
	if d2.Ifindex() != idx || d2.MAC() != mac || d2.MTU() != 1400 {
		t.Fatalf("adopted ifindex %d mac %x mtu %d, want %d %x 1400", d2.Ifindex(), d2.MAC(), d2.MTU(), idx, mac)
	}
	if out := run(t, ns, "ip", "-o", "addr", "show", "dev", "br-gv0"); !strings.Contains(out, "10.9.0.1/24") {
		t.Fatalf("address lost on adoption:\n%s", out)
	}
	if d2.Flags()&netdev.FlagUp == 0 {
		t.Fatal("adopted tap not up")
	}
	if err := d2.Delete(); err != nil {
		t.Fatal(err)
	}
	if linkExists(t, ns, "br-gv0") {
		t.Fatal("Delete left the tap")
	}
	if err := d2.Delete(); err != nil {
		t.Fatalf("second Delete: %v", err)
	}
}

func TestDeleteAfterClose(t *testing.T) {
	ns := newNS(t)
	d := openIn(t, ns, "gt-del", Options{})
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	inNS(t, ns, func() {
		if err := d.Delete(); err != nil {
			t.Fatal(err)
		}
	})
	if linkExists(t, ns, "gt-del") {
		t.Fatal("Delete after Close left the tap")
	}
}

func TestOpenRefuses(t *testing.T) {
	ns := newNS(t)
	run(t, ns, "ip", "link", "add", "gt-veth", "type", "veth", "peer", "name", "gt-vethp")
	run(t, ns, "ip", "tuntap", "add", "gt-tun", "mode", "tun")
	openIn(t, ns, "gt-busy", Options{})
	for _, tc := range []struct {
		name, ifn string
		want      error
	}{
		{"veth", "gt-veth", ErrNotTap},
		{"tun", "gt-tun", ErrNotTap},
		{"busy", "gt-busy", ErrBusy},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			inNS(t, ns, func() {
				var d *Device
				if d, err = Open(tc.ifn, Options{}); err == nil {
					d.Close()
				}
			})
			if !errors.Is(err, tc.want) {
				t.Fatalf("Open(%s): %v, want %v", tc.ifn, err, tc.want)
			}
			t.Log(err)
		})
	}
	if !linkExists(t, ns, "gt-veth") || !linkExists(t, ns, "gt-tun") {
		t.Fatal("a refused Open removed the interface")
	}
}

func TestSetters(t *testing.T) {
	ns := newNS(t)
	d := openIn(t, ns, "gt-set", Options{})
	mac := [6]byte{0x02, 1, 2, 3, 4, 5}
	if err := d.SetMAC(mac); err != nil {
		t.Fatal(err)
	}
	if err := d.SetMTU(9000); err != nil {
		t.Fatal(err)
	}
	if d.MAC() != mac || d.MTU() != 9000 {
		t.Fatalf("mac %x mtu %d", d.MAC(), d.MTU())
	}
	for _, tc := range []struct {
		name    string
		on, off netdev.Flags
		want    netdev.Flags
	}{
		{"up", netdev.FlagUp, 0, netdev.FlagUp | netdev.FlagRunning},
		{"promisc", netdev.FlagPromisc, 0, netdev.FlagUp | netdev.FlagRunning | netdev.FlagPromisc},
		{"not promisc", 0, netdev.FlagPromisc, netdev.FlagUp | netdev.FlagRunning},
		{"down", 0, netdev.FlagUp, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := d.SetFlags(tc.on, tc.off); err != nil {
				t.Fatal(err)
			}
			if got := d.Flags(); got != tc.want {
				t.Fatalf("flags %#x, want %#x", got, tc.want)
			}
		})
	}
	if err := d.SetFlags(netdev.FlagRunning, 0); !errors.Is(err, netdev.ErrUnsupported) {
		t.Fatalf("SetFlags(Running): %v", err)
	}
	if err := d.SetMTU(10); err == nil {
		t.Fatal("SetMTU(10) succeeded")
	}
	if _, err := d.Rx(1, &packet.Batch{}, nil); !errors.Is(err, netdev.ErrBadQueue) {
		t.Fatalf("Rx(1): %v", err)
	}
	if d.RxNotifyFD(0) < 0 || d.RxNotifyFD(1) != -1 {
		t.Fatalf("RxNotifyFD %d %d", d.RxNotifyFD(0), d.RxNotifyFD(1))
	}
}

// TestFinishRx feeds crafted virtio-net headers and frames to the receive
// path's second half.
func TestFinishRx(t *testing.T) {
	_, c := newPool(t)
	d := &Device{name: "unit", overflow: make([]byte, overflowSize)}
	for i := range d.overflow {
		d.overflow[i] = byte(i)
	}
	type hdr struct {
		flags, gso          uint8
		gsoSize, start, off uint16
	}
	for _, tc := range []struct {
		name    string
		h       hdr
		frame   int
		ok      bool
		partial bool
		gso     uint8
	}{
		{"plain", hdr{}, 60, true, false, packet.GSONone},
		{"partial", hdr{flags: header.VirtioNetHdrFNeedsCsum, start: 34, off: 6}, 100, true, true, packet.GSONone},
		{"tso4 spill", hdr{flags: header.VirtioNetHdrFNeedsCsum, gso: header.VirtioNetHdrGSOTCPv4, gsoSize: 1448, start: 34, off: 16}, 30000, true, true, packet.GSOTCPv4},
		{"max spill", hdr{}, packet.SmallCapacity + overflowSize - 1, true, false, packet.GSONone},
		{"runt", hdr{}, 13, false, false, 0},
		{"cut", hdr{}, packet.SmallCapacity + overflowSize, false, false, 0},
		{"csum outside", hdr{flags: header.VirtioNetHdrFNeedsCsum, start: 90, off: 16}, 100, false, false, 0},
		{"bad gso type", hdr{gso: 2, gsoSize: 100}, 100, false, false, 0},
		{"gso size 0", hdr{gso: header.VirtioNetHdrGSOTCPv6}, 100, false, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := header.VirtioNetHdr(d.rxHdr[:])
			clear(h)
			h.SetFlags(tc.h.flags)
			h.SetGSOType(tc.h.gso)
			h.SetGSOSize(tc.h.gsoSize)
			h.SetCsumStart(tc.h.start)
			h.SetCsumOffset(tc.h.off)
			p := c.Alloc(packet.SmallCapacity)
			for i := range p.Data() {
				p.Data()[i] = byte(i * 7)
			}
			errs := d.rxErrors.Load()
			q, ok := d.finishRx(p, vnetHdrSize+tc.frame, c)
			if ok != tc.ok {
				t.Fatalf("ok %v, want %v", ok, tc.ok)
			}
			if !ok {
				if d.rxErrors.Load() != errs+1 {
					t.Fatal("drop not counted as rx error")
				}
				return
			}
			defer c.Free(q)
			if q.Len() != tc.frame || q.Meta.CsumPartial != tc.partial || q.Meta.GSOType != tc.gso {
				t.Fatalf("len %d partial %v gso %d", q.Len(), q.Meta.CsumPartial, q.Meta.GSOType)
			}
			data := q.Data()
			for i := 0; i < min(len(data), packet.SmallCapacity); i++ {
				if data[i] != byte(i*7) {
					t.Fatalf("byte %d: %d", i, data[i])
				}
			}
			for i := packet.SmallCapacity; i < len(data); i++ {
				if data[i] != byte(i-packet.SmallCapacity) {
					t.Fatalf("spilled byte %d: %d", i, data[i])
				}
			}
		})
	}
	if s := c.Pool().Stats(); s.InUse() != 0 {
		c.PublishStats()
		if s = c.Pool().Stats(); s.InUse() != 0 {
			t.Fatalf("%d buffers leaked", s.InUse())
		}
	}
}

func TestGSOHdrLen(t *testing.T) {
	_, c := newPool(t)
	frame := make([]byte, 14+20+32+100)
	frame[14+20+12] = 8 << 4 // TCP data offset: 32 bytes
	for _, tc := range []struct {
		name string
		meta packet.Meta
		want uint16
	}{
		{"no gso", packet.Meta{L4Ofs: 34}, 0},
		{"tcp from csum start", packet.Meta{GSOType: packet.GSOTCPv4, CsumPartial: true, CsumStart: 34, L4Ofs: packet.OffsetNone}, 66},
		{"tcp from l4ofs", packet.Meta{GSOType: packet.GSOTCPv6, L4Ofs: 34}, 66},
		{"udp", packet.Meta{GSOType: packet.GSOUDPL4, CsumPartial: true, CsumStart: 34}, 42},
		{"no offsets", packet.Meta{GSOType: packet.GSOTCPv4, L4Ofs: packet.OffsetNone}, 0},
		{"beyond frame", packet.Meta{GSOType: packet.GSOTCPv4, L4Ofs: 160}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := c.Alloc(len(frame))
			defer c.Free(p)
			copy(p.Data(), frame)
			p.Meta = tc.meta
			if got := gsoHdrLen(p); got != tc.want {
				t.Fatalf("hdr len %d, want %d", got, tc.want)
			}
		})
	}
}

// TestAdoptForeignTap adopts a persistent TAP device made by iproute2
// (without a virtio-net header) and checks that the header and offloads
// are switched on for it.
func TestAdoptForeignTap(t *testing.T) {
	ns := newNS(t)
	run(t, ns, "ip", "tuntap", "add", "gt-ext", "mode", "tap")
	d := openIn(t, ns, "gt-ext", Options{Type: TypeTap})
	if d.Created() {
		t.Fatal("Created() true for an existing tap")
	}
	if out := run(t, ns, "ip", "-d", "link", "show", "gt-ext"); !strings.Contains(out, "vnet_hdr") {
		t.Fatalf("virtio-net header not enabled:\n%s", out)
	}
}

// TestFailedOpenRemovesCreatedTap checks that an Open that fails after
// creating the device (here the kernel refuses the MTU) leaves nothing
// behind, while a failed adoption leaves the existing device alone.
func TestFailedOpenRemovesCreatedTap(t *testing.T) {
	ns := newNS(t)
	for _, tc := range []struct {
		name     string
		existing bool
	}{
		{"created", false},
		{"adopted", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ifn := "gt-bad-" + tc.name[:3]
			if tc.existing {
				run(t, ns, "ip", "tuntap", "add", ifn, "mode", "tap")
			}
			var err error
			inNS(t, ns, func() {
				var d *Device
				if d, err = Open(ifn, Options{MTU: 60}); err == nil {
					d.Delete()
				}
			})
			if err == nil {
				t.Fatal("Open with MTU 60 succeeded")
			}
			if got := linkExists(t, ns, ifn); got != tc.existing {
				t.Fatalf("after the failed Open the tap exists: %v, want %v (%v)", got, tc.existing, err)
			}
		})
	}
}
