package packet

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"govs.dev/govs/flow"
)

var (
	kMacA = [6]byte{0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f}
	kMacB = [6]byte{0x01, 0x02, 0x03, 0x04, 0x05, 0x06}
	kIP4A = flow.IPv4Uint32(netip.MustParseAddr("192.168.0.1"))
	kIP4B = flow.IPv4Uint32(netip.MustParseAddr("10.1.2.3"))
	kIP6A = netip.MustParseAddr("fe80::1").As16()
	kIP6B = netip.MustParseAddr("2001:db8::42").As16()
)

// composeCase is a flow as a flow.Key and as the ODP text that stock
// ovs-appctl netdev-dummy/receive accepts for the same flow.
type composeCase struct {
	name string
	odp  string
	key  func() flow.Key
	len  int // --len; 0 for the default 64-byte payload
}

const odpEth = "in_port(1),eth(src=0a:0b:0c:0d:0e:0f,dst=01:02:03:04:05:06)"

func baseKey() flow.Key {
	return flow.Key{InPort: 1, DlSrc: kMacA, DlDst: kMacB}
}

func ip4Key(proto uint8) flow.Key {
	k := baseKey()
	k.DlType = EthTypeIPv4
	k.NwSrc, k.NwDst, k.NwProto, k.NwTOS, k.NwTTL = kIP4A, kIP4B, proto, 0xb8, 64
	return k
}

func ip6Key(proto uint8) flow.Key {
	k := baseKey()
	k.DlType = EthTypeIPv6
	k.IPv6Src, k.IPv6Dst, k.IPv6Label, k.NwProto, k.NwTOS, k.NwTTL = kIP6A, kIP6B, 0xabcde, proto, 0x2d, 255
	return k
}

const (
	odpIP4 = "eth_type(0x0800),ipv4(src=192.168.0.1,dst=10.1.2.3,proto=%d,tos=0xb8,ttl=64,frag=%s)"
	odpIP6 = "eth_type(0x86dd),ipv6(src=fe80::1,dst=2001:db8::42,label=0xabcde,proto=%d,tclass=0x2d,hlimit=255,frag=no)"
)

func composeCases() []composeCase {
	with := func(k flow.Key, f func(*flow.Key)) func() flow.Key {
		return func() flow.Key { f(&k); return k }
	}
	return []composeCase{
		{name: "eth-only", odp: odpEth + ",eth_type(0x1234)", key: with(baseKey(), func(k *flow.Key) { k.DlType = 0x1234 })},
		{name: "llc", odp: odpEth, key: with(baseKey(), func(k *flow.Key) { k.DlType = DlTypeNone })},
		{name: "vlan-udp", odp: odpEth + ",eth_type(0x8100),vlan(vid=100,pcp=5),encap(" +
			fmt.Sprintf(odpIP4, 17, "no") + ",udp(src=5353,dst=53))",
			key: with(ip4Key(ProtoUDP), func(k *flow.Key) {
				k.VLANs[0] = flow.VLAN{TPID: EthTypeVLAN, TCI: 5<<13 | flow.VLANCFI | 100}
				k.TpSrc, k.TpDst = 5353, 53
			})},
		{name: "qinq-tcp", odp: odpEth + ",eth_type(0x88a8),vlan(vid=10,pcp=1),encap(eth_type(0x8100),vlan(vid=20),encap(" +
			fmt.Sprintf(odpIP4, 6, "no") + ",tcp(src=1,dst=2),tcp_flags(ack)))",
			key: with(ip4Key(ProtoTCP), func(k *flow.Key) {
				k.VLANs[0] = flow.VLAN{TPID: EthTypeQinQ, TCI: 1<<13 | flow.VLANCFI | 10}
				k.VLANs[1] = flow.VLAN{TPID: EthTypeVLAN, TCI: flow.VLANCFI | 20}
				k.TpSrc, k.TpDst, k.TCPFlags = 1, 2, 0x10
			})},
		{name: "arp", odp: odpEth + ",eth_type(0x0806),arp(sip=192.168.0.1,tip=10.1.2.3,op=1,sha=0a:0b:0c:0d:0e:0f,tha=00:00:00:00:00:00)",
			key: with(baseKey(), func(k *flow.Key) {
				k.DlType, k.NwSrc, k.NwDst, k.NwProto, k.ArpSHA = EthTypeARP, kIP4A, kIP4B, 1, kMacA
			})},
		{name: "ipv4-udp", odp: odpEth + "," + fmt.Sprintf(odpIP4, 17, "no") + ",udp(src=5353,dst=53)",
			key: with(ip4Key(ProtoUDP), func(k *flow.Key) { k.TpSrc, k.TpDst = 5353, 53 })},
		{name: "ipv4-udp-len", len: 200, odp: odpEth + "," + fmt.Sprintf(odpIP4, 17, "no") + ",udp(src=5353,dst=53)",
			key: with(ip4Key(ProtoUDP), func(k *flow.Key) { k.TpSrc, k.TpDst = 5353, 53 })},
		{name: "ipv4-tcp-psh-ack", odp: odpEth + "," + fmt.Sprintf(odpIP4, 6, "no") + ",tcp(src=40000,dst=80),tcp_flags(psh|ack)",
			key: with(ip4Key(ProtoTCP), func(k *flow.Key) { k.TpSrc, k.TpDst, k.TCPFlags = 40000, 80, 0x18 })},
		{name: "ipv4-tcp-syn", odp: odpEth + "," + fmt.Sprintf(odpIP4, 6, "no") + ",tcp(src=40000,dst=80),tcp_flags(syn)",
			key: with(ip4Key(ProtoTCP), func(k *flow.Key) { k.TpSrc, k.TpDst, k.TCPFlags = 40000, 80, 0x2 })},
		{name: "ipv4-icmp-echo", odp: odpEth + "," + fmt.Sprintf(odpIP4, 1, "no") + ",icmp(type=8,code=0)",
			key: with(ip4Key(ProtoICMP), func(k *flow.Key) { k.TpSrc = 8 })},
		{name: "ipv4-icmp-unreach", odp: odpEth + "," + fmt.Sprintf(odpIP4, 1, "no") + ",icmp(type=3,code=1)",
			key: with(ip4Key(ProtoICMP), func(k *flow.Key) { k.TpSrc, k.TpDst = 3, 1 })},
		{name: "ipv4-sctp", odp: odpEth + "," + fmt.Sprintf(odpIP4, 132, "no") + ",sctp(src=3868,dst=2905)",
			key: with(ip4Key(ProtoSCTP), func(k *flow.Key) { k.TpSrc, k.TpDst = 3868, 2905 })},
		{name: "ipv4-first-frag", odp: odpEth + "," + fmt.Sprintf(odpIP4, 17, "first") + ",udp(src=1,dst=2)",
			key: with(ip4Key(ProtoUDP), func(k *flow.Key) { k.TpSrc, k.TpDst, k.NwFrag = 1, 2, flow.FragAny })},
		{name: "ipv4-later-frag", odp: odpEth + "," + fmt.Sprintf(odpIP4, 17, "later"),
			key: with(ip4Key(ProtoUDP), func(k *flow.Key) { k.NwFrag = flow.FragAny | flow.FragLater })},
		{name: "ipv6-udp", odp: odpEth + "," + fmt.Sprintf(odpIP6, 17) + ",udp(src=5353,dst=53)",
			key: with(ip6Key(ProtoUDP), func(k *flow.Key) { k.TpSrc, k.TpDst = 5353, 53 })},
		{name: "ipv6-tcp", odp: odpEth + "," + fmt.Sprintf(odpIP6, 6) + ",tcp(src=1,dst=2),tcp_flags(ack)",
			key: with(ip6Key(ProtoTCP), func(k *flow.Key) { k.TpSrc, k.TpDst, k.TCPFlags = 1, 2, 0x10 })},
		{name: "icmpv6-echo", odp: odpEth + "," + fmt.Sprintf(odpIP6, 58) + ",icmpv6(type=128,code=0)",
			key: with(ip6Key(ProtoICMPv6), func(k *flow.Key) { k.TpSrc = 128 })},
		{name: "icmpv6-ns", odp: odpEth + "," + fmt.Sprintf(odpIP6, 58) +
			",icmpv6(type=135,code=0),nd(target=2001:db8::42,sll=0a:0b:0c:0d:0e:0f,tll=00:00:00:00:00:00)",
			key: with(ip6Key(ProtoICMPv6), func(k *flow.Key) {
				k.TpSrc, k.NDTarget, k.ArpSHA, k.TCPFlags = 135, kIP6B, kMacA, ndOptSourceLLA
			})},
		{name: "icmpv6-na", odp: odpEth + "," + fmt.Sprintf(odpIP6, 58) +
			",icmpv6(type=136,code=0),nd(target=2001:db8::42,sll=00:00:00:00:00:00,tll=01:02:03:04:05:06)",
			key: with(ip6Key(ProtoICMPv6), func(k *flow.Key) {
				k.TpSrc, k.NDTarget, k.ArpTHA, k.TCPFlags = 136, kIP6B, kMacB, ndOptTargetLLA
			})},
		{name: "mpls", odp: odpEth + ",eth_type(0x8847),mpls(label=20,tc=3,ttl=64,bos=1)",
			key: with(baseKey(), func(k *flow.Key) { k.DlType, k.MPLS[0] = EthTypeMPLS, 20<<12|3<<9|1<<8|64 })},
	}
}

func composeFor(t testing.TB, c composeCase) []byte {
	t.Helper()
	k := c.key()
	if c.len == 0 {
		return Compose(&k, 64)
	}
	b, err := ComposeLen(&k, c.len)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// roundTripKeys are keys whose every field Compose can carry.
func roundTripKeys() map[string]flow.Key {
	keys := map[string]flow.Key{}
	for _, c := range composeCases() {
		if c.len == 0 {
			keys[c.name] = c.key()
		}
	}
	add := func(name string, k flow.Key) { keys[name] = k }
	for _, proto := range []uint8{ProtoTCP, ProtoUDP, ProtoSCTP, ProtoICMP, ProtoIGMP, 99} {
		for _, frag := range []uint8{0, flow.FragAny, flow.FragAny | flow.FragLater} {
			k := ip4Key(proto)
			k.NwFrag = frag
			if frag&flow.FragLater == 0 {
				switch proto {
				case ProtoTCP:
					k.TpSrc, k.TpDst, k.TCPFlags = 7, 8, 0xfff
				case ProtoUDP, ProtoSCTP:
					k.TpSrc, k.TpDst = 7, 8
				case ProtoICMP:
					k.TpSrc, k.TpDst = 0, 0
				case ProtoIGMP:
					k.TpSrc, k.TpDst, k.NDReserved = 0x16, 1, 0xe0000001
				}
			}
			add(fmt.Sprintf("ipv4-proto%d-frag%d", proto, frag), k)
		}
	}
	for _, proto := range []uint8{ProtoTCP, ProtoUDP, ProtoSCTP, 99} {
		k := ip6Key(proto)
		if proto != 99 {
			k.TpSrc, k.TpDst = 65535, 1
		}
		add(fmt.Sprintf("ipv6-proto%d", proto), k)
	}
	k := ip6Key(ProtoICMPv6)
	k.TpSrc, k.NDTarget, k.ArpSHA, k.ArpTHA, k.TCPFlags, k.NDReserved = 136, kIP6A, kMacA, kMacB, ndOptSourceLLA, 0x60000000
	add("na-both-options", k)
	k = baseKey()
	k.DlType, k.MPLS = EthTypeMPLSMC, [3]uint32{1 << 12, 2 << 12, 3<<12 | 1<<8 | 5}
	add("mpls-three", k)
	k = baseKey()
	k.DlType, k.NwProto, k.NwSrc, k.NwDst, k.ArpSHA, k.ArpTHA = EthTypeRARP, 2, 1, 2, kMacA, kMacB
	k.VLANs[0] = flow.VLAN{TPID: EthTypeVLAN, TCI: 0xffff}
	add("rarp-vlan", k)
	return keys
}

func TestComposeRoundTrip(t *testing.T) {
	for name, want := range roundTripKeys() {
		t.Run(name, func(t *testing.T) {
			for _, plen := range []int{0, 1, 64} {
				b := Compose(&want, plen)
				var m Meta
				m.InPort = want.InPort
				var got flow.Key
				ExtractBytes(b, &m, &got)
				if got != want {
					t.Errorf("payload %d: Extract(Compose(k)) differs\n got %+v\nwant %+v\npacket %x", plen, got, want, b)
				}
				checkChecksums(t, b)
			}
		})
	}
}

// checkChecksums verifies the IPv4, TCP, UDP, ICMPv4 and ICMPv6 checksums
// of an Ethernet frame with gopacket.
func checkChecksums(t testing.TB, b []byte) {
	t.Helper()
	pkt := gopacket.NewPacket(b, layers.LayerTypeEthernet, gopacket.Default)
	nl := pkt.NetworkLayer()
	for _, l := range pkt.Layers() {
		var r gopacket.ChecksumVerificationResult
		var err error
		switch l := l.(type) {
		case *layers.IPv4:
			err, r = l.VerifyChecksum()
		case *layers.TCP:
			_ = l.SetNetworkLayerForChecksum(nl)
			err, r = l.VerifyChecksum()
		case *layers.UDP:
			if l.Checksum == 0 && pkt.Layer(layers.LayerTypeIPv4) != nil {
				continue
			}
			_ = l.SetNetworkLayerForChecksum(nl)
			err, r = l.VerifyChecksum()
		case *layers.ICMPv4:
			err, r = l.VerifyChecksum()
		case *layers.ICMPv6:
			_ = l.SetNetworkLayerForChecksum(nl)
			err, r = l.VerifyChecksum()
		default:
			continue
		}
		if err != nil {
			t.Errorf("%v checksum: %v", l.LayerType(), err)
		} else if !r.Valid {
			t.Errorf("%v checksum %04x, want %04x", l.LayerType(), r.Actual, r.Correct)
		}
	}
}

// stockOVS is a private stock ovs-vswitchd with the dummy datapath.
type stockOVS struct {
	dir string
	env []string
}

func (o *stockOVS) run(t testing.TB, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = o.env
	cmd.Dir = o.dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func killPidfile(path string) {
	b, err := os.ReadFile(path)
	if err != nil {
		return
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 1 {
		return
	}
	_ = syscall.Kill(pid, syscall.SIGTERM)
	for range 50 {
		if syscall.Kill(pid, 0) != nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
}

func startStockOVS(t *testing.T) *stockOVS {
	t.Helper()
	for _, bin := range []string{"ovsdb-tool", "ovsdb-server", "ovs-vswitchd", "ovs-vsctl", "ovs-ofctl", "ovs-appctl"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("stock %s not installed (make deps installs it)", bin)
		}
	}
	const schema = "/usr/share/openvswitch/vswitch.ovsschema"
	if _, err := os.Stat(schema); err != nil {
		t.Skip("OVS schema not installed")
	}
	d, err := os.MkdirTemp("", "govs-packet-")
	if err != nil {
		t.Fatal(err)
	}
	o := &stockOVS{dir: d, env: append(os.Environ(), "OVS_RUNDIR="+d, "OVS_LOGDIR="+d, "OVS_DBDIR="+d, "OVS_SYSCONFDIR="+d)}
	t.Cleanup(func() {
		killPidfile(filepath.Join(d, "ovs-vswitchd.pid"))
		killPidfile(filepath.Join(d, "ovsdb-server.pid"))
		if !t.Failed() {
			os.RemoveAll(d)
		} else {
			t.Logf("stock OVS files kept in %s", d)
		}
	})
	o.run(t, "ovsdb-tool", "create", filepath.Join(d, "conf.db"), schema)
	o.run(t, "ovsdb-server", filepath.Join(d, "conf.db"), "--remote=punix:"+filepath.Join(d, "db.sock"),
		"--pidfile", "--detach", "--no-chdir", "--log-file")
	o.run(t, "ovs-vsctl", "--no-wait", "init")
	o.run(t, "ovs-vswitchd", "--enable-dummy", "--disable-system", "--disable-system-route",
		"--detach", "--no-chdir", "--pidfile", "--log-file")
	return o
}

// TestComposeOVS sends each flow through a stock ovs-vswitchd with
// netdev-dummy/receive and compares what it transmits with Compose.
func TestComposeOVS(t *testing.T) {
	if testing.Short() {
		t.Skip("starts stock ovs-vswitchd")
	}
	o := startStockOVS(t)
	pcap := filepath.Join(o.dir, "p2.pcap")
	o.run(t, "ovs-vsctl", "set", "Open_vSwitch", ".", "other_config:vlan-limit=2", "--",
		"add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=dummy", "--",
		"add-port", "br0", "p1", "--", "set", "interface", "p1", "type=dummy", "ofport_request=1", "--",
		"add-port", "br0", "p2", "--", "set", "interface", "p2", "type=dummy", "ofport_request=2",
		"options:tx_pcap="+pcap)
	o.run(t, "ovs-ofctl", "del-flows", "br0")
	o.run(t, "ovs-ofctl", "add-flow", "br0", "actions=output:2")
	cases := composeCases()
	for _, c := range cases {
		args := []string{"netdev-dummy/receive", "p1", c.odp}
		if c.len != 0 {
			args = append(args, "--len", strconv.Itoa(c.len))
		}
		o.run(t, "ovs-appctl", args...)
	}
	var got [][]byte
	deadline := time.Now().Add(10 * time.Second)
	for {
		got = readPcap(t, pcap)
		if len(got) >= len(cases) || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(got) != len(cases) {
		t.Fatalf("stock OVS transmitted %d packets, want %d", len(got), len(cases))
	}
	for i, c := range cases {
		want := got[i]
		b := composeFor(t, c)
		if !bytes.Equal(b, want) {
			t.Errorf("%s: Compose differs from stock OVS\n ovs %x\ngovs %x", c.name, want, b)
		}
	}
}

func readPcap(t *testing.T, path string) [][]byte {
	// A pcap file: a 24-byte header, then per packet a 16-byte record
	// header (incl_len at offset 8) and the bytes. (gopacket's pcapgo
	// needs a module this repository does not have.)
	b, err := os.ReadFile(path)
	if err != nil || len(b) < 24 {
		return nil
	}
	var order binary.ByteOrder = binary.LittleEndian
	switch binary.LittleEndian.Uint32(b) {
	case 0xa1b2c3d4, 0xa1b23c4d:
	default:
		order = binary.BigEndian
	}
	var pkts [][]byte
	for b = b[24:]; len(b) >= 16; {
		n := int(order.Uint32(b[8:]))
		if len(b) < 16+n {
			break
		}
		pkts = append(pkts, append([]byte(nil), b[16:16+n]...))
		b = b[16+n:]
	}
	return pkts
}

func TestComposeLen(t *testing.T) {
	k := ip4Key(ProtoUDP)
	if _, err := ComposeLen(&k, 10); err == nil {
		t.Error("ComposeLen into 10 bytes: no error")
	}
	b, err := ComposeLen(&k, 100)
	if err != nil || len(b) != 100 {
		t.Fatalf("ComposeLen: %d bytes, %v", len(b), err)
	}
	k = baseKey()
	k.DlType = DlTypeNone
	b, err = ComposeLen(&k, 60)
	if err != nil || len(b) != 60 || b[12] != 0 || b[13] != 60 {
		t.Errorf("802.2 ComposeLen: %x, %v", b, err)
	}
}
