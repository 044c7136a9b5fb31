package odp

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"govs.dev/govs/flow"
)

// visible masks a key and clears the parts of its mask that the ODP key
// format cannot show, as stock OVS cannot either: tunnel fields whose key
// value is zero are absent from the datapath key, so their masks do not
// print.
func visible(k, m flow.Key) (flow.Key, flow.Key) {
	if k.TunTOS == 0 {
		m.TunTOS = 0
	}
	if k.TunTpSrc == 0 {
		m.TunTpSrc = 0
	}
	if k.TunTpDst == 0 {
		m.TunTpDst = 0
	}
	// Like stock, a ct tuple whose addresses and protocol are wildcarded
	// counts as wildcarded: its port masks do not print.
	if m.CtNwSrc == 0 && m.CtNwDst == 0 && m.CtNwProto == 0 &&
		isZero(m.CtIPv6Src[:]) && isZero(m.CtIPv6Dst[:]) {
		m.CtTpSrc, m.CtTpDst = 0, 0
	}
	k.And(&m)
	return k, m
}

// keyDiff names the fields in which a and b differ.
func keyDiff(a, b *flow.Key) string {
	va, vb := reflect.ValueOf(a).Elem(), reflect.ValueOf(b).Elem()
	var d []string
	for i := 0; i < va.NumField(); i++ {
		if name := va.Type().Field(i).Name; name != "_" && !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			d = append(d, fmt.Sprintf("%s: %v vs %v", name, va.Field(i).Interface(), vb.Field(i).Interface()))
		}
	}
	return "[" + strings.Join(d, "; ") + "]"
}

// checkKeyRoundTrip formats a parsed key (plain and verbose) and checks that
// it parses back to the same visible key and mask.
func checkKeyRoundTrip(t *testing.T, in string) {
	t.Helper()
	k1, m1, err := ParseKey(in, testPortByName)
	if err != nil {
		return
	}
	for _, verbose := range []bool{false, true} {
		var b strings.Builder
		FormatKey(&b, &k1, &m1, testPortName, verbose)
		text := b.String()
		k2, m2, err := ParseKey(text, testPortByName)
		if err != nil {
			t.Fatalf("ParseKey(%q) ok, but its format (verbose=%v) %q does not parse: %v", in, verbose, text, err)
		}
		vk1, vm1 := visible(k1, m1)
		vk2, vm2 := visible(k2, m2)
		if vk1 != vk2 || vm1 != vm2 {
			t.Fatalf("round trip of %q via %q (verbose=%v) changed key %s mask %s",
				in, text, verbose, keyDiff(&vk1, &vk2), keyDiff(&vm1, &vm2))
		}
		// Key bits outside the mask may print (verbose does); after one
		// round trip the text must be stable.
		var b2, b3 strings.Builder
		FormatKey(&b2, &k2, &m2, testPortName, verbose)
		k3, m3, err := ParseKey(b2.String(), testPortByName)
		if err != nil {
			t.Fatalf("%q does not parse: %v", b2.String(), err)
		}
		FormatKey(&b3, &k3, &m3, testPortName, verbose)
		if b2.String() != b3.String() {
			t.Fatalf("format not stable: %q then %q", b2.String(), b3.String())
		}
	}
}

// maskedActions copies acts with each set's value masked, keeping the
// context fields FormatActions reads: bits outside a set's mask do not print
// when their field is wholly wildcarded.
func maskedActions(acts []Action) []Action {
	out := make([]Action, len(acts))
	for i, a := range acts {
		if a.Set != nil {
			s := *a.Set
			dl, proto := s.Value.DlType, s.Value.NwProto
			s.Value.And(&s.Mask)
			s.Value.DlType = dl
			if s.Mask.TpSrc != 0 || s.Mask.TpDst != 0 || s.Mask.NwProto != 0 {
				s.Value.NwProto = proto
			}
			a.Set = &s
		}
		if a.Nested != nil {
			a.Nested = maskedActions(a.Nested)
		}
		out[i] = a
	}
	return out
}

func checkActionsRoundTrip(t *testing.T, in string) {
	t.Helper()
	a1, err := ParseActions(in, testPortByName)
	if err != nil {
		return
	}
	var b strings.Builder
	FormatActions(&b, a1, nil)
	text := b.String()
	a2, err := ParseActions(text, testPortByName)
	if err != nil {
		t.Fatalf("ParseActions(%q) ok, but its format %q does not parse: %v", in, text, err)
	}
	if n1, n2 := maskedActions(a1), maskedActions(a2); !reflect.DeepEqual(n1, n2) {
		t.Fatalf("round trip of %q via %q changed the actions:\n%+v\n%+v", in, text, a1, a2)
	}
	b.Reset()
	FormatActions(&b, a1, testPortName)
	if _, err := ParseActions(b.String(), testPortByName); err != nil {
		t.Fatalf("named format %q does not parse: %v", b.String(), err)
	}
}

// FuzzParseKey checks that ParseKey never panics and that whatever it
// accepts formats to text that parses back to the same key and mask.
func FuzzParseKey(f *testing.F) {
	for _, c := range oracleCases {
		f.Add(c.key)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkKeyRoundTrip(t, s)
	})
}

// FuzzParseActions checks that ParseActions never panics and that whatever
// it accepts formats to text that parses back to the same actions.
func FuzzParseActions(f *testing.F) {
	for _, c := range oracleCases {
		f.Add(c.acts)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkActionsRoundTrip(t, s)
	})
}
