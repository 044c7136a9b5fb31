package packet

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/gopacket/gopacket/layers"

	"govs.dev/govs/flow"
)

// FuzzExtract checks that Extract never panics, is deterministic, leaves
// consistent offsets, and that its word map covers every nonzero word.
func FuzzExtract(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		var m1, m2 Meta
		m1.InPort, m2.InPort = 1, 1
		var k1, k2 flow.Key
		ExtractBytes(data, &m1, &k1)
		ExtractBytes(data, &m2, &k2)
		if k1 != k2 || m1 != m2 {
			t.Fatalf("Extract is not deterministic")
		}
		for _, o := range []uint16{m1.L2Ofs, m1.L2_5Ofs, m1.L3Ofs, m1.L4Ofs} {
			if o != OffsetNone && int(o) > len(data) {
				t.Fatalf("offset %d beyond a %d-byte packet", o, len(data))
			}
		}
		if m1.L4OK && (m1.L4Ofs == OffsetNone || !m1.L3OK) {
			t.Fatalf("L4OK without L4 offset: %+v", m1)
		}
		if k1.NwFrag&flow.FragLater != 0 && (k1.TpSrc != 0 || k1.TpDst != 0) {
			t.Fatalf("later fragment with L4 ports")
		}
		// Compose must accept whatever Extract produced.
		_ = Compose(&k1, 3)
		// Words outside ExtractMap's word map are zero, whatever the
		// metadata, and the fast path agrees with the generic one.
		for name, meta := range metaVariants() {
			m, mg := meta, meta
			var k, kg flow.Key
			wm := extract(data, &m, &k)
			checkWordMap(t, name, &k, wm)
			wmg := extractGeneric(data, &mg, &kg)
			if k != kg || m != mg || wm != wmg {
				t.Fatalf("%s: fast and generic extraction differ:\n%+v %+v %#x\n%+v %+v %#x", name, k, m, wm, kg, mg, wmg)
			}
		}
	})
}

// FuzzSegment feeds arbitrary packets with arbitrary GSO metadata to the
// segmentation and checksum-completion code, which must reject what they
// cannot handle with an error.
func FuzzSegment(f *testing.F) {
	pool, err := NewPool(PoolConfig{Buffers: 256, BigBuffers: 1})
	if err != nil {
		f.Fatal(err)
	}
	defer pool.Close()
	c := pool.NewCache()
	f.Fuzz(func(t *testing.T, data []byte, gso uint8, mss uint16, csumStart, csumOff uint16) {
		p := c.Alloc(0)
		if p == nil {
			t.Fatal("pool leak")
		}
		defer c.Free(p)
		if p.SetData(data) != nil {
			return
		}
		p.Meta.GSOType, p.Meta.GSOSize = gso, mss
		p.Meta.CsumPartial, p.Meta.CsumStart, p.Meta.CsumOffset = true, csumStart, csumOff
		var out Batch
		next, err := SegmentFrom(p, c, &out, 0)
		if err == nil && next == 0 && out.N == 0 {
			t.Fatal("no progress and no error")
		}
		c.FreeBatch(&out)
		_ = CompleteChecksum(p)
	})
}

// TestWriteFuzzSeeds regenerates the seed corpora in testdata/fuzz from the
// Extract and segmentation test packets:
//
//	GOVS_WRITE_FUZZ_SEEDS=1 go test ./packet -run TestWriteFuzzSeeds
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("GOVS_WRITE_FUZZ_SEEDS") == "" {
		t.Skip("set GOVS_WRITE_FUZZ_SEEDS=1 to regenerate the seed corpora")
	}
	write := func(target, name string, vals ...string) {
		dir := filepath.Join("testdata", "fuzz", target)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		s := "go test fuzz v1\n"
		for _, v := range vals {
			s += v + "\n"
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range extractCases() {
		write("FuzzExtract", tc.name, fmt.Sprintf("[]byte(%q)", tc.build(t)))
	}
	for name, k := range roundTripKeys() {
		write("FuzzExtract", "compose-"+name, fmt.Sprintf("[]byte(%q)", Compose(&k, 5)))
	}
	for _, tc := range tsoCases() {
		data := tc.build(t, min(tc.payload, 3000), &layers.TCP{SrcPort: 1, DstPort: 2, ACK: true, PSH: true})
		write("FuzzSegment", tc.name, fmt.Sprintf("[]byte(%q)", data),
			fmt.Sprintf("byte(%d)", tc.gso), fmt.Sprintf("uint16(%d)", tc.mss), "uint16(34)", "uint16(16)")
	}
}
