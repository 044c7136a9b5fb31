package openflow

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The tests in this file use stock Open vSwitch's ovs-ofctl as the oracle:
// it decodes what govs encodes (ofp-print, and as the peer of a live
// connection), and it produces the messages govs must decode.

func needOfctl(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("ovs-ofctl"); err != nil {
		t.Skip("ovs-ofctl not installed (make deps)")
	}
}

// ofpPrint returns `ovs-ofctl ofp-print` of b, failing on a decode error.
func ofpPrint(t testing.TB, b []byte, extra ...string) string {
	t.Helper()
	args := append([]string{"ofp-print", hex.EncodeToString(b)}, extra...)
	out, err := exec.Command("ovs-ofctl", args...).CombinedOutput()
	s := string(out)
	if err != nil || strings.Contains(s, "decode error") || strings.Contains(s, "***") {
		t.Fatalf("ofp-print %x: %v\n%s", b, err, s)
	}
	return s
}

// ofctlSession runs one ovs-ofctl command against a fake switch on a unix
// socket and records what ovs-ofctl sent.
type ofctlSession struct {
	t       *testing.T
	version uint8 // negotiated
	recv    [][]byte
	// stats answers a stats request; nil means an empty reply of its kind.
	stats func(req *StatsRequest) *StatsReply
	// config is what SET_CONFIG last set, echoed by GET_CONFIG.
	config SwitchConfig
	// split, when set, sends stats replies in messages of at most split
	// bytes (EncodeStatsReplies).
	split int
	// closeAfter, when set, closes the connection after answering a
	// message of that kind (for commands like monitor that never end).
	closeAfter MsgType
}

var errCloseConn = errors.New("close requested")

var ourVersions = []uint8{Version10, Version11, Version12, Version13, Version14, Version15}

func (s *ofctlSession) respond(conn net.Conn, raw []byte) error {
	m, err := Decode(raw)
	if err != nil {
		s.t.Errorf("decode %x: %v", raw, err)
		e, _ := AsError(err)
		reply := NewErrorReply(e, raw)
		b, _ := Encode(reply)
		_, _ = conn.Write(b)
		return nil
	}
	var out Message
	h := *m.Head()
	switch m := m.(type) {
	case *Hello:
		v, ok := NegotiateVersion(ourVersions, m)
		if !ok {
			return fmt.Errorf("no common version with %v", m.Versions)
		}
		s.version = v
		out = &Hello{Header: Header{Version: v, XID: h.XID}, Versions: []uint8{v}}
	case *EchoRequest:
		out = &EchoReply{Header: h, Data: m.Data}
	case *FeaturesRequest:
		fr := &FeaturesReply{Header: h, DatapathID: 0xabc, NBuffers: 0, NTables: 254, Capabilities: 0xc7, Actions: 0xfff}
		if h.Version < Version13 {
			fr.Ports = []PortDesc{
				{PortNo: PortLocal, Name: "br0", HWAddr: [6]byte{2, 0, 0, 0, 0, 1}, Config: 1, State: 1},
				{PortNo: 1, Name: "p1", HWAddr: [6]byte{0xaa, 0, 0, 0, 0, 1}, Curr: 0x840, Advertised: 0x840, Supported: 0x840},
			}
		}
		out = fr
	case *GetConfigRequest:
		c := s.config
		c.Header, c.Set = h, false
		out = &c
	case *SwitchConfig:
		s.config = *m
	case *BarrierRequest:
		out = &BarrierReply{Header: h}
	case *RoleMsg:
		r := *m
		r.Reply = true
		out = &r
	case *StatsRequest:
		var rep *StatsReply
		if s.stats != nil {
			rep = s.stats(m)
		}
		if rep == nil {
			rep = defaultStatsReply(m)
		}
		rep.Header = h
		out = rep
	case *QueueGetConfigRequest:
		out = &QueueGetConfigReply{Header: h, Port: m.Port, Queues: []QueueConfig{
			{QueueID: 1, Port: m.Port, MinRate: 100, MaxRate: 500}, {QueueID: 2, Port: m.Port, MinRate: RateUnset, MaxRate: 900}}}
	case *TLVTableRequest:
		out = &TLVTableReply{Header: h, MaxOptionSpace: 256, MaxFields: 64, Mappings: []TLVMap{{OptionClass: 0x102, OptionType: 0x80, OptionLen: 4, Index: 0}}}
	case *BundleControl:
		r := *m
		r.CtrlType++
		r.Properties = nil
		out = &r
	}
	if out == nil {
		return nil
	}
	if sr, ok := out.(*StatsReply); ok && s.split > 0 {
		msgs, err := EncodeStatsReplies(sr, s.split)
		if err != nil {
			return fmt.Errorf("split reply: %w", err)
		}
		for _, b := range msgs {
			if _, err := conn.Write(b); err != nil {
				return err
			}
		}
		return nil
	}
	b, err := Encode(out)
	if err != nil {
		return fmt.Errorf("encode reply %T: %w", out, err)
	}
	if _, err = conn.Write(b); err != nil {
		return err
	}
	if s.closeAfter != 0 && m.Type() == s.closeAfter {
		return errCloseConn
	}
	return nil
}

// run executes ovs-ofctl with args, where "SOCK" is replaced by the socket
// address, and returns its output.
func (s *ofctlSession) run(args ...string) (string, error) {
	t := s.t
	dir, err := os.MkdirTemp("", "ofc")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	sock := filepath.Join(dir, "s")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var wg sync.WaitGroup
	var mu sync.Mutex
	serve := func(conn net.Conn) {
		defer wg.Done()
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		rdr := NewReader(conn, MaxMessageLen)
		for {
			raw, err := rdr.Next()
			if err != nil {
				if !errors.Is(err, io.EOF) && !errors.Is(err, ErrShortRead) && !strings.Contains(err.Error(), "reset") {
					t.Errorf("read: %v", err)
				}
				return
			}
			mu.Lock()
			s.recv = append(s.recv, bytes.Clone(raw))
			err = s.respond(conn, raw)
			mu.Unlock()
			if errors.Is(err, errCloseConn) {
				time.Sleep(50 * time.Millisecond)
				return
			}
			if err != nil {
				t.Errorf("respond: %v", err)
				return
			}
		}
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go serve(conn)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	full := []string{"--timeout=5"}
	for _, a := range args {
		full = append(full, strings.ReplaceAll(a, "SOCK", "unix:"+sock))
	}
	out, err := exec.CommandContext(ctx, "ovs-ofctl", full...).CombinedOutput()
	ln.Close()
	wg.Wait()
	return string(out), err
}

// versionArgs maps a short name to ovs-ofctl's -O option.
func versionArgs(v uint8) []string {
	switch v {
	case Version10:
		return []string{"-O", "OpenFlow10"}
	case Version11:
		return []string{"-O", "OpenFlow11"}
	case Version12:
		return []string{"-O", "OpenFlow12"}
	case Version13:
		return []string{"-O", "OpenFlow13"}
	case Version14:
		return []string{"-O", "OpenFlow14"}
	case Version15:
		return []string{"-O", "OpenFlow15"}
	}
	return nil
}

// checkRoundTrip asserts Encode(Decode(raw)) == raw.
func checkRoundTrip(t *testing.T, raw []byte) Message {
	t.Helper()
	m, err := Decode(raw)
	if err != nil {
		t.Errorf("decode %x: %v", raw, err)
		return nil
	}
	b, err := Encode(m)
	if err != nil {
		t.Errorf("re-encode %T from %x: %v", m, raw, err)
		return m
	}
	if !bytes.Equal(b, raw) {
		t.Errorf("round trip of %T differs:\n got %x\nwant %x", m, b, raw)
	}
	return m
}

// defaultStatsReply is a minimal valid reply of the request's kind.
func defaultStatsReply(m *StatsRequest) *StatsReply {
	rep := &StatsReply{Kind: m.Kind, NX: m.NX}
	switch m.Kind {
	case StatsTable:
		rep.Tables = []TableStats{{TableID: 0, Name: "classifier", Wildcards: 0x3fffff, MaxEntries: 1000000, ActiveCount: 1, LookupCount: 10, MatchedCount: 5}}
	case StatsTableDesc:
		rep.TableDescs = []TableDesc{{TableID: 0}}
	case StatsQueueDesc:
		rep.QueueDescs = []QueueConfig{{QueueID: 1, Port: 1, MinRate: 100, MaxRate: 500}, {QueueID: 2, Port: 1, MinRate: RateUnset, MaxRate: 900}}
	case StatsTableFeatures:
		// The eight required properties.
		props := AppendTableFeatureProps(nil, []TableFeatureProp{
			{Type: TFPInstructions, IDs: []uint64{ofpitGotoTable, ofpitApplyActions, ofpitWriteMetadata}},
			{Type: TFPNextTables, Tables: []uint8{1, 2, 3}},
			{Type: TFPWriteActions, IDs: []uint64{ofpat11Output, ofpat11Group}},
			{Type: TFPApplyActions, IDs: []uint64{ofpat11Output, ofpat11PushVLAN, 1<<63 | 0xffff<<32 | uint64(VendorNicira)}},
			{Type: TFPMatch, IDs: []uint64{OXMInPort, NXMHeader(ClassOpenFlow, 4, 12) | 0x100, ExperimenterHeader(VendorONF, 42, 2)}},
			{Type: TFPWildcards, IDs: []uint64{NXMHeader(ClassOpenFlow, 4, 6)}},
			{Type: TFPWriteSetField, IDs: []uint64{NXMHeader(ClassOpenFlow, 3, 6)}},
			{Type: TFPApplySetField, IDs: []uint64{NXMHeader(ClassOpenFlow, 3, 6)}},
		})
		rep.TableFeatures = []TableFeatures{{TableID: 0, Name: "classifier", MetadataMatch: ^uint64(0), MetadataWrite: ^uint64(0), MaxEntries: 1000000, Properties: props}}
	}
	return rep
}

// skipIfInexpressible skips a subtest when ovs-ofctl itself refuses to
// express the request in the chosen version (e.g. NXM-only matches in
// OpenFlow 1.1).
func skipIfInexpressible(t *testing.T, out string) {
	t.Helper()
	if strings.Contains(out, "none of the usable flow formats") {
		t.Skipf("ovs-ofctl cannot express this in the chosen version: %s", strings.TrimSpace(out))
	}
}
