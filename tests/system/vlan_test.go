package system

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	tn "govs.dev/govs/internal/testnet"
)

// frame builds an Ethernet frame from src to dst, tagged with VLAN vid when
// vid >= 0, with an experimental EtherType (0x88b5) and marker as payload,
// padded to the minimum size.
func frame(dst, src string, vid int, marker string) []byte {
	var b bytes.Buffer
	b.Write(mustMAC(dst))
	b.Write(mustMAC(src))
	if vid >= 0 {
		binary.Write(&b, binary.BigEndian, uint16(0x8100))
		binary.Write(&b, binary.BigEndian, uint16(vid))
	}
	binary.Write(&b, binary.BigEndian, uint16(0x88b5))
	b.WriteString(marker)
	for b.Len() < 60 {
		b.WriteByte(0)
	}
	return b.Bytes()
}

func mustMAC(s string) []byte {
	var m [6]byte
	if _, err := fmt.Sscanf(s, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]); err != nil {
		panic(err)
	}
	return m[:]
}

// tagOf returns the VLAN ID of f, or -1 if untagged.
func tagOf(f []byte) int {
	if len(f) >= 18 && binary.BigEndian.Uint16(f[12:]) == 0x8100 {
		return int(binary.BigEndian.Uint16(f[14:]) & 0xfff)
	}
	return -1
}

// TestVLAN: access ports in VLANs 10 and 20 and a trunk. Frames built by
// the test (the kernel here has no VLAN devices) go in tagged on the trunk
// and come out untagged on the access port of their VLAN only, and the
// other way round.
func TestVLAN(t *testing.T) {
	tp := newTopo(t, tn.Govs, 4, true)
	a10, b10, trunk, a20 := tp.hosts[0], tp.hosts[1], tp.hosts[2], tp.hosts[3]
	tp.env.MustVsctl("set", "port", a10.port, "tag=10", "--", "set", "port", b10.port, "tag=10",
		"--", "set", "port", trunk.port, "trunks=10,20", "--", "set", "port", a20.port, "tag=20")
	socks := map[*host]*tn.RawSocket{}
	for _, h := range tp.hosts {
		s, err := tn.OpenRawSocket(h.ns, h.ifname)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		socks[h] = s
	}
	marked := func(m string) func([]byte) bool {
		return func(f []byte) bool { return bytes.Contains(f, []byte(m)) }
	}
	// expect sends f from h and checks which hosts receive the marker and
	// with which tag.
	expect := func(name string, from *host, f []byte, marker string, want map[*host]int) {
		t.Helper()
		if err := socks[from].Send(f); err != nil {
			t.Fatal(err)
		}
		for _, h := range tp.hosts {
			if h == from {
				continue
			}
			wantTag, should := want[h]
			timeout := 3 * time.Second
			if !should {
				timeout = 300 * time.Millisecond
			}
			got, err := socks[h].Recv(timeout, marked(marker))
			switch {
			case should && err != nil:
				t.Errorf("%s: %s did not receive the frame: %v", name, h.port, err)
			case !should && err == nil:
				t.Errorf("%s: %s received a frame of another VLAN: %x", name, h.port, got)
			case should && tagOf(got) != wantTag:
				t.Errorf("%s: %s received tag %d, want %d", name, h.port, tagOf(got), wantTag)
			}
		}
	}
	bcast := "ff:ff:ff:ff:ff:ff"
	expect("tagged 10 from the trunk", trunk, frame(bcast, trunk.mac, 10, "m1"), "m1", map[*host]int{a10: -1, b10: -1})
	expect("tagged 20 from the trunk", trunk, frame(bcast, trunk.mac, 20, "m2"), "m2", map[*host]int{a20: -1})
	expect("untagged from access 10", a10, frame(bcast, a10.mac, -1, "m3"), "m3", map[*host]int{b10: -1, trunk: 10})
	expect("untagged from access 20", a20, frame(bcast, a20.mac, -1, "m4"), "m4", map[*host]int{trunk: 20})
	expect("VLAN 30 is not on the trunk", trunk, frame(bcast, trunk.mac, 30, "m5"), "m5", map[*host]int{})
	// Learned: a20's MAC is known in VLAN 20 only, so unicast to it from
	// the trunk in VLAN 20 reaches a20 alone.
	expect("unicast to a learned MAC", trunk, frame(a20.mac, trunk.mac, 20, "m6"), "m6", map[*host]int{a20: -1})
}
