package openflow

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// FuzzDecode checks that Decode never panics and that whatever it accepts
// encodes to bytes that decode again to the same encoding.
func FuzzDecode(f *testing.F) {
	f.Add([]byte{1, 0, 0, 8, 0, 0, 0, 1})
	f.Add([]byte{4, 0, 0, 16, 0, 0, 0, 1, 0, 1, 0, 8, 0, 0, 0, 0x12})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(b)
		if err != nil {
			if _, ok := AsError(err); !ok {
				t.Fatalf("error without an OpenFlow error: %v", err)
			}
			return
		}
		enc, err := Encode(m)
		if err != nil {
			return
		}
		m2, err := Decode(enc)
		if err != nil {
			t.Fatalf("re-decode of %x (from %x): %v", enc, b, err)
		}
		enc2, err := Encode(m2)
		if err != nil || !bytes.Equal(enc, enc2) {
			t.Fatalf("encoding not stable: %v\n%x\n%x", err, enc, enc2)
		}
	})
}

// FuzzReader checks that the stream splitter never hangs or panics and
// only returns messages whose length field matches.
func FuzzReader(f *testing.F) {
	f.Add([]byte{4, 0, 0, 16, 0, 0, 0, 1, 0, 1, 0, 8, 0, 0, 0, 0x12})
	f.Add([]byte{1, 0, 0, 7, 0, 0, 0, 0})
	f.Add([]byte{1, 0, 0xff, 0xff, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		r := NewReader(bytes.NewReader(b), 1024)
		for i := 0; i <= len(b)/HeaderLen+1; i++ {
			msg, err := r.Next()
			if err != nil {
				if !errors.Is(err, io.EOF) && !errors.Is(err, ErrShortRead) {
					if _, ok := AsError(err); !ok {
						t.Fatalf("unexpected error %v", err)
					}
				}
				return
			}
			if len(msg) < HeaderLen || int(be16(msg[2:])) != len(msg) || len(msg) > 1024 {
				t.Fatalf("bad message %x", msg)
			}
		}
		t.Fatalf("reader returned more messages than the input can hold")
	})
}

// FuzzDecodeActions checks action and instruction decoding of every version.
func FuzzDecodeActions(f *testing.F) {
	f.Add(uint8(1), []byte{0, 0, 0, 8, 0, 1, 0, 0})
	f.Add(uint8(4), []byte{0, 4, 0, 24, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, v uint8, b []byte) {
		acts, err := DecodeInstructions(v%6+1, b)
		if err != nil {
			return
		}
		enc, err := EncodeInstructions(nil, v%6+1, acts)
		if err != nil {
			return
		}
		if _, err := DecodeInstructions(v%6+1, enc); err != nil {
			t.Fatalf("re-decode %x: %v", enc, err)
		}
	})
}

// FuzzDecodeNXM checks the NXM/OXM TLV parser.
func FuzzDecodeNXM(f *testing.F) {
	f.Add([]byte{0, 1, 0, 4, 0, 0, 0, 5})
	f.Add([]byte{0xff, 0xff, 0x01, 0x08, 0x4f, 0x4e, 0x46, 0x00, 0, 1, 0, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeNXM(b)
		if err != nil {
			return
		}
		enc, err := EncodeNXM(nil, &m)
		if err != nil {
			t.Fatalf("encode decoded match: %v", err)
		}
		if !bytes.Equal(enc, b) {
			t.Fatalf("NXM round trip: %x != %x", enc, b)
		}
	})
}
