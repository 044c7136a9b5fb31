package openflow

import (
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// stockSwitch is a private stock ovs-vswitchd (dummy datapath) with bridge
// br0 and port p1, used as the oracle for switch-to-controller messages.
type stockSwitch struct {
	t   *testing.T
	dir string
	env []string
}

func startStockSwitch(t *testing.T) *stockSwitch {
	t.Helper()
	for _, tool := range []string{"ovsdb-tool", "ovsdb-server", "ovs-vswitchd", "ovs-vsctl", "ovs-appctl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (make deps)", tool)
		}
	}
	schema := "/usr/share/openvswitch/vswitch.ovsschema"
	if _, err := os.Stat(schema); err != nil {
		t.Skip("OVS schema not installed")
	}
	dir, err := os.MkdirTemp("", "ofsw")
	if err != nil {
		t.Fatal(err)
	}
	s := &stockSwitch{t: t, dir: dir, env: append(os.Environ(), "OVS_RUNDIR="+dir, "OVS_LOGDIR="+dir, "OVS_DBDIR="+dir)}
	t.Cleanup(s.stop)
	s.must("ovsdb-tool", "create", filepath.Join(dir, "conf.db"), schema)
	s.must("ovsdb-server", filepath.Join(dir, "conf.db"), "--remote=punix:"+filepath.Join(dir, "db.sock"),
		"--pidfile", "--detach", "--no-chdir", "--log-file")
	s.must("ovs-vsctl", "--no-wait", "init")
	s.must("ovs-vswitchd", "--enable-dummy", "--disable-system", "--disable-system-route", "--detach",
		"--no-chdir", "--pidfile", "--log-file")
	s.must("ovs-vsctl", "add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=dummy",
		"protocols=OpenFlow10,OpenFlow11,OpenFlow12,OpenFlow13,OpenFlow14,OpenFlow15",
		"--", "add-port", "br0", "p1", "--", "set", "interface", "p1", "type=dummy", "ofport_request=1")
	return s
}

func (s *stockSwitch) must(name string, args ...string) string {
	s.t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = s.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		s.t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

func (s *stockSwitch) pid(name string) int {
	b, err := os.ReadFile(filepath.Join(s.dir, name+".pid"))
	if err != nil {
		return 0
	}
	p, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return p
}

// stop ends only the two daemons this test started, by their pidfiles.
func (s *stockSwitch) stop() {
	for _, name := range []string{"ovs-vswitchd", "ovsdb-server"} {
		if p := s.pid(name); p > 0 {
			ctl := filepath.Join(s.dir, fmt.Sprintf("%s.%d.ctl", name, p))
			cmd := exec.Command("ovs-appctl", "-t", ctl, "exit")
			cmd.Env = s.env
			if cmd.Run() != nil {
				if proc, err := os.FindProcess(p); err == nil {
					_ = proc.Kill()
				}
			}
		}
	}
	os.RemoveAll(s.dir)
}

// ofConn is a minimal controller connection to the stock switch.
type ofConn struct {
	t    *testing.T
	c    net.Conn
	r    *Reader
	v    uint8
	xid  uint32
	seen [][]byte
}

func (s *stockSwitch) connect(v uint8) *ofConn {
	s.t.Helper()
	c, err := net.Dial("unix", filepath.Join(s.dir, "br0.mgmt"))
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { c.Close() })
	oc := &ofConn{t: s.t, c: c, r: NewReader(c, MaxMessageLen), v: v}
	oc.send(&Hello{Header: Header{Version: v}, Versions: []uint8{v}})
	if m := oc.recv(); m.Type() != MsgHello {
		s.t.Fatalf("first message %v", m.Type())
	}
	return oc
}

func (c *ofConn) send(m Message) uint32 {
	c.t.Helper()
	c.xid++
	m.Head().Version, m.Head().XID = c.v, c.xid
	b, err := Encode(m)
	if err != nil {
		c.t.Fatalf("encode %T: %v", m, err)
	}
	if _, err := c.c.Write(b); err != nil {
		c.t.Fatal(err)
	}
	return c.xid
}

// recv reads one message; every message from the stock switch must decode
// and re-encode to the same bytes.
func (c *ofConn) recv() Message {
	c.t.Helper()
	_ = c.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	raw, err := c.r.Next()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	raw = append([]byte(nil), raw...)
	c.seen = append(c.seen, raw)
	m := checkRoundTrip(c.t, raw)
	if m == nil {
		c.t.Fatalf("undecodable message from stock switch: %x", raw)
	}
	if e, ok := m.(*ErrorMsg); ok {
		c.t.Fatalf("stock switch sent %s for our request (data %x)", e.Err.Name(), e.Data)
	}
	return m
}

// transact sends m and a barrier and returns every message up to the
// barrier reply.
func (c *ofConn) transact(m Message) []Message {
	c.t.Helper()
	c.send(m)
	bx := c.send(&BarrierRequest{})
	var out []Message
	for {
		r := c.recv()
		if r.Type() == MsgBarrierReply && r.Head().XID == bx {
			return out
		}
		out = append(out, r)
	}
}

func (c *ofConn) waitFor(t MsgType) Message {
	c.t.Helper()
	for {
		if m := c.recv(); m.Type() == t {
			return m
		}
	}
}

// TestStockSwitch drives a real ovs-vswitchd as a controller would, with
// requests encoded by this package, and checks that every reply and async
// message it sends decodes and re-encodes byte-exactly.
func TestStockSwitch(t *testing.T) {
	if testing.Short() {
		t.Skip("starts daemons")
	}
	needOfctl(t)
	sw := startStockSwitch(t)
	pkt := "50540000000a50540000000908004500001c00010000401100000a0000010a0000020035003500080000"
	for _, v := range []uint8{Version10, Version11, Version12, Version13, Version14, Version15} {
		t.Run(fmt.Sprintf("v%d", v), func(t *testing.T) {
			sw.t = t
			c := sw.connect(v)
			c.t = t
			c.transact(&FeaturesRequest{})
			c.transact(&GetConfigRequest{})
			c.transact(&SwitchConfig{Set: true, Flags: FragNormal, MissSendLen: 0xffff})
			kinds := []StatsKind{StatsDesc, StatsTable, StatsPort, StatsPortDesc, StatsFlow, StatsAggregate, StatsQueue}
			if v >= Version12 {
				kinds = append(kinds, StatsGroupDesc, StatsGroup, StatsGroupFeatures)
			}
			if v >= Version13 {
				kinds = append(kinds, StatsMeterFeatures, StatsMeterConfig, StatsMeter, StatsTableFeatures)
			}
			if v >= Version14 {
				kinds = append(kinds, StatsTableDesc, StatsQueueDesc)
			} else {
				c.transact(&QueueGetConfigRequest{Port: 1})
			}
			// A flow that sends to the controller, with a register match and
			// a few actions, added by our FlowMod encoder.
			fm := &FlowMod{Command: FlowAdd, TableID: 0, Priority: 100, BufferID: NoBuffer, OutPort: PortNone,
				OutGroup: GroupAny, Flags: FlagSendFlowRem, Cookie: 0x77, CookieMask: ^uint64(0),
				Match: Match{Fields: []MatchField{{Header: NXMEthType, Value: u16b(0x800)}}},
				Actions: []Action{SetField{Header: NXMReg(0), Value: u32b(5), Mask: u32b(0xffffffff), Raw: SetFieldRawRegLoad},
					Controller{MaxLen: 0xffff, Reason: 1, MeterID: 0xffffffff}, Output{Port: PortController, MaxLen: 0xffff}}}
			if v == Version10 {
				fm.NX = true
			}
			c.transact(fm)
			if v >= Version12 {
				c.transact(&GroupMod{Command: GroupAdd, GroupType: GroupTypeSelect, GroupID: 10 + uint32(v), CommandBucketID: BucketAll,
					Buckets: []Bucket{{Weight: 3, WatchPort: PortNone, WatchGroup: GroupAny, Actions: []Action{Output{Port: 1}}}}})
			}
			for _, k := range kinds {
				req := &StatsRequest{Kind: k, Port: PortNone, ID: 0xffffffff}
				req.Flow = FlowStatsRequest{TableID: 0xff, OutPort: PortNone, OutGroup: GroupAny}
				if k == StatsQueue || k == StatsQueueDesc {
					req.ID = QueueAll
				}
				if (k == StatsFlow || k == StatsAggregate) && v == Version10 {
					req.NX = true
				}
				c.transact(req)
			}
			// A packet hitting the flow produces packet-ins.
			sw.must("ovs-appctl", "netdev-dummy/receive", "p1", pkt)
			pi := c.waitFor(MsgPacketIn).(*PacketIn)
			if pi.TotalLen == 0 || len(pi.Data) == 0 {
				t.Errorf("empty packet-in %+v", pi)
			}
			// Deleting the flow produces a flow-removed message.
			allTables := uint8(0xff)
			if v == Version11 {
				allTables = 0 // OVS refuses OFPTT_ALL in OF1.1 flow_mods
			}
			del := &FlowMod{Command: FlowDelete, TableID: allTables, BufferID: NoBuffer, OutPort: PortNone, OutGroup: GroupAny, NX: v == Version10}
			c.send(del)
			fr := c.waitFor(MsgFlowRemoved).(*FlowRemoved)
			if fr.Cookie != 0x77 {
				t.Errorf("flow removed cookie %#x", fr.Cookie)
			}
			// Adding a port produces a port-status message.
			name := fmt.Sprintf("q%d", v)
			sw.must("ovs-vsctl", "add-port", "br0", name, "--", "set", "interface", name, "type=dummy")
			ps := c.waitFor(MsgPortStatus).(*PortStatus)
			if ps.Desc.Name != name {
				t.Errorf("port status for %q", ps.Desc.Name)
			}
			for _, raw := range c.seen {
				writeSeed(t, raw)
			}
			if testing.Verbose() {
				for _, raw := range c.seen {
					t.Logf("%s", hex.EncodeToString(raw[:min(len(raw), 24)]))
				}
			}
		})
	}
}

// TestStockTableFeatures parses the property lists of stock OVS's
// TABLE_FEATURES reply and rebuilds them byte-exactly.
func TestStockTableFeatures(t *testing.T) {
	if testing.Short() {
		t.Skip("starts daemons")
	}
	needOfctl(t)
	sw := startStockSwitch(t)
	for _, v := range []uint8{Version13, Version15} {
		c := sw.connect(v)
		c.send(&StatsRequest{Kind: StatsTableFeatures})
		tables := 0
		for {
			rep := c.waitFor(MsgStatsReply).(*StatsReply)
			for _, tf := range rep.TableFeatures {
				props, err := ParseTableFeatureProps(tf.Properties)
				if err != nil {
					t.Fatalf("table %d: %v", tf.TableID, err)
				}
				if got := AppendTableFeatureProps(nil, props); string(got) != string(tf.Properties) {
					t.Fatalf("table %d properties do not rebuild", tf.TableID)
				}
				if len(props) < 8 {
					t.Errorf("table %d has %d properties", tf.TableID, len(props))
				}
				tables++
			}
			if rep.Flags&StatsMore == 0 {
				break
			}
		}
		if tables != 254 {
			t.Errorf("v%d: %d tables", v, tables)
		}
	}
}
