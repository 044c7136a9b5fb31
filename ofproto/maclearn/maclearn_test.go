package maclearn

import (
	"testing"
	"time"
)

func TestLearnLookupAge(t *testing.T) {
	tb := New()
	now := time.Unix(1000, 0)
	mac := [6]byte{0x50, 0x54, 0, 0, 0, 1}
	if !tb.Learn(0, mac, 1, now) {
		t.Fatal("first learn should change the table")
	}
	if tb.Learn(0, mac, 1, now) {
		t.Fatal("relearn on same port should not change the table")
	}
	g := tb.Generation()
	if !tb.Learn(0, mac, 2, now) || tb.Generation() == g {
		t.Fatal("move must change the table and generation")
	}
	if p, ok := tb.Lookup(0, mac, now.Add(time.Second)); !ok || p != 2 {
		t.Fatalf("lookup = %d,%v", p, ok)
	}
	if _, ok := tb.Lookup(1, mac, now); ok {
		t.Fatal("other VLAN must not match")
	}
	if _, ok := tb.Lookup(0, mac, now.Add(DefaultIdleTime)); ok {
		t.Fatal("entry must age out")
	}
	if n := tb.Expire(now.Add(DefaultIdleTime)); n != 1 || tb.Len() != 0 {
		t.Fatalf("expire removed %d, len %d", n, tb.Len())
	}
	if tb.Learn(0, [6]byte{1, 0, 0, 0, 0, 1}, 1, now) {
		t.Fatal("multicast source must not be learned")
	}
}

func TestEvictionLRU(t *testing.T) {
	tb := New()
	tb.SetMaxSize(2)
	now := time.Unix(1000, 0)
	tb.Learn(0, [6]byte{0, 0, 0, 0, 0, 1}, 1, now)
	tb.Learn(0, [6]byte{0, 0, 0, 0, 0, 2}, 2, now.Add(time.Second))
	tb.Learn(0, [6]byte{0, 0, 0, 0, 0, 3}, 3, now.Add(2*time.Second))
	if tb.Len() != 2 {
		t.Fatalf("len %d", tb.Len())
	}
	if _, ok := tb.Lookup(0, [6]byte{0, 0, 0, 0, 0, 1}, now.Add(2*time.Second)); ok {
		t.Fatal("oldest entry should have been evicted")
	}
	if tb.Stats().Evicted != 1 {
		t.Fatalf("evicted %d", tb.Stats().Evicted)
	}
}
