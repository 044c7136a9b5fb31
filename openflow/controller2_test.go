package openflow

import (
	"bytes"
	"testing"
)

// TestController2OVSPadding decodes NXAST_CONTROLLER2 as stock ovs-ofctl
// 3.1 encodes controller(max_len=20,userdata=01.02.03) (bytes captured from
// its flow-mod): the 16-bit max_len property carries a 4-byte payload.
// Encoding the decoded action must give the same bytes back.
func TestController2OVSPadding(t *testing.T) {
	ovs := []byte{0xff, 0xff, 0x00, 0x20, 0x00, 0x00, 0x23, 0x20, 0x00, 0x25, 0, 0, 0, 0, 0, 0,
		0x00, 0x00, 0x00, 0x08, 0x00, 0x14, 0x00, 0x00, 0x00, 0x03, 0x00, 0x07, 0x01, 0x02, 0x03, 0x00}
	acts, err := DecodeActions(Version10, ovs)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	c, ok := acts[0].(Controller)
	if !ok || c.MaxLen != 20 || !bytes.Equal(c.UserData, []byte{1, 2, 3}) {
		t.Fatalf("decoded %+v", acts)
	}
	enc, err := EncodeActions(nil, Version10, acts)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	if !bytes.Equal(enc, ovs) {
		t.Errorf("encoded\n% x\nOVS\n% x", enc, ovs)
	}
}
