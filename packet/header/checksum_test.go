package header

import (
	"encoding/binary"
	"math/rand"
	"strconv"
	"testing"
)

// naiveSum is the RFC 1071 reference: 16-bit big-endian words, end-around
// carry.
func naiveSum(b []byte, initial uint32) uint16 {
	s := uint64(initial)
	for i := 0; i+1 < len(b); i += 2 {
		s += uint64(binary.BigEndian.Uint16(b[i:]))
	}
	if len(b)%2 == 1 {
		s += uint64(b[len(b)-1]) << 8
	}
	for s > 0xffff {
		s = s>>16 + s&0xffff
	}
	return uint16(s)
}

func TestSumMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	buf := make([]byte, 70000)
	for i := range buf {
		buf[i] = byte(rng.Intn(256))
	}
	for i := range 2000 {
		off := rng.Intn(64)
		n := rng.Intn(200)
		if i%100 == 0 {
			n = rng.Intn(len(buf) - off)
		}
		initial := rng.Uint32()
		b := buf[off : off+n]
		if got, want := Fold(Sum(b, initial)), naiveSum(b, initial); got != want {
			t.Fatalf("Sum(len %d, init %x) = %04x, want %04x", n, initial, got, want)
		}
	}
	ff := make([]byte, 65536)
	for i := range ff {
		ff[i] = 0xff
	}
	if got, want := Fold(Sum(ff, 0xffffffff)), naiveSum(ff, 0xffffffff); got != want {
		t.Fatalf("all ones: %04x, want %04x", got, want)
	}
}

func TestChecksumRFC1071Example(t *testing.T) {
	// RFC 1071 section 3: the sum of 00 01 f2 03 f4 f5 f6 f7 is ddf2.
	b := []byte{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7}
	if s := Fold(Sum(b, 0)); s != 0xddf2 {
		t.Fatalf("sum %04x, want ddf2", s)
	}
	if c := Checksum(b, 0); c != ^uint16(0xddf2) {
		t.Fatalf("checksum %04x", c)
	}
}

func TestIncrementalUpdate(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	for range 1000 {
		b := make([]byte, 40)
		rng.Read(b)
		binary.BigEndian.PutUint16(b[10:], 0)
		c := Checksum(b, 0)
		binary.BigEndian.PutUint16(b[10:], c)
		switch rng.Intn(3) {
		case 0:
			old := binary.BigEndian.Uint16(b[4:])
			nw := uint16(rng.Intn(65536))
			binary.BigEndian.PutUint16(b[4:], nw)
			c = UpdateChecksum16(c, old, nw)
		case 1:
			old := binary.BigEndian.Uint32(b[12:])
			nw := rng.Uint32()
			binary.BigEndian.PutUint32(b[12:], nw)
			c = UpdateChecksum32(c, old, nw)
		case 2:
			var old, nw [16]byte
			copy(old[:], b[20:36])
			rng.Read(nw[:])
			copy(b[20:36], nw[:])
			c = UpdateChecksum128(c, &old, &nw)
		}
		binary.BigEndian.PutUint16(b[10:], c)
		// A correct checksum makes the whole sum 0xffff (or 0 for an
		// all-zero region, which random data does not produce).
		if v := Fold(Sum(b, 0)); v != 0xffff {
			t.Fatalf("after update the sum is %04x", v)
		}
	}
}

func TestUpdateSum(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for range 1000 {
		src, dst := rng.Uint32(), rng.Uint32()
		nsrc := rng.Uint32()
		seed := Fold(PseudoHeaderSumIPv4(src, dst, 6, 1000))
		got := UpdateSum32(seed, src, nsrc)
		want := Fold(PseudoHeaderSumIPv4(nsrc, dst, 6, 1000))
		if got != want && !(got == 0xffff && want == 0) && !(got == 0 && want == 0xffff) {
			t.Fatalf("UpdateSum32: %04x, want %04x", got, want)
		}
		var a, b [16]byte
		rng.Read(a[:])
		rng.Read(b[:])
		var c [16]byte
		rng.Read(c[:])
		seed = Fold(PseudoHeaderSumIPv6(&a, &b, 17, 99))
		got = UpdateSum128(seed, &a, &c)
		want = Fold(PseudoHeaderSumIPv6(&c, &b, 17, 99))
		if got != want && !(got == 0xffff && want == 0) && !(got == 0 && want == 0xffff) {
			t.Fatalf("UpdateSum128: %04x, want %04x", got, want)
		}
		seed = Fold(PseudoHeaderSumIPv6(&a, &b, 17, 99))
		got = UpdateSum16(seed, 99, 1234)
		want = Fold(PseudoHeaderSumIPv6(&a, &b, 17, 1234))
		if got != want && !(got == 0xffff && want == 0) && !(got == 0 && want == 0xffff) {
			t.Fatalf("UpdateSum16: %04x, want %04x", got, want)
		}
	}
}

func TestChecksumAllocs(t *testing.T) {
	b := make([]byte, 1500)
	if n := testing.AllocsPerRun(100, func() { Checksum(b, 0) }); n != 0 {
		t.Errorf("Checksum allocates %v times", n)
	}
}

func BenchmarkChecksum(b *testing.B) {
	for _, n := range []int{20, 64, 1500, 65000} {
		buf := make([]byte, n)
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			b.SetBytes(int64(n))
			for b.Loop() {
				Checksum(buf, 0)
			}
		})
	}
}
