package flow

import "testing"

func TestKeyLayout(t *testing.T) {
	if KeySize%8 != 0 {
		t.Fatalf("KeySize %d not a multiple of 8", KeySize)
	}
	if !(0 < StageL2 && StageL2 < StageL3 && StageL3 < StageL4 && StageL4 < KeyWords) {
		t.Fatalf("stages out of order: %d %d %d %d", StageL2, StageL3, StageL4, KeyWords)
	}
	t.Logf("Key: %d bytes, %d words, stages %d/%d/%d", KeySize, KeyWords, StageL2, StageL3, StageL4)
}

func TestMatch(t *testing.T) {
	var m Match
	m.Key.TpDst = 80
	m.Mask.TpDst = 0xffff
	var k Key
	k.TpDst = 80
	k.TpSrc = 1234
	if !m.Matches(&k) {
		t.Fatal("expected match")
	}
	k.TpDst = 81
	if m.Matches(&k) {
		t.Fatal("unexpected match")
	}
}
