package openflow

import (
	"encoding/hex"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var seedRE = regexp.MustCompile(`\[\]byte\((".*")\)`)

// TestDifferentialOfpPrint mutates captured messages and compares Decode's
// verdict with `ovs-ofctl ofp-print`'s. Opt-in (GOVS_OFP_DIFF=1): it logs
// differences for a human to judge, because govs deliberately leaves field
// semantics (OFPBMC_BAD_FIELD, OFPBAC_BAD_SET_TYPE...) to the flow registry
// and accepts error messages whose numbering it does not know.
func TestDifferentialOfpPrint(t *testing.T) {
	if os.Getenv("GOVS_OFP_DIFF") == "" {
		t.Skip("set GOVS_OFP_DIFF=1 to run")
	}
	needOfctl(t)
	files, _ := filepath.Glob("testdata/fuzz/FuzzDecode/*")
	rng := rand.New(rand.NewSource(1))
	n := 0
	for i := 0; i < 600; i++ {
		f := files[rng.Intn(len(files))]
		data, _ := os.ReadFile(f)
		m := seedRE.FindSubmatch(data)
		if m == nil {
			continue
		}
		s, err := strconv.Unquote(string(m[1]))
		if err != nil {
			continue
		}
		b := []byte(s)
		if len(b) < 12 {
			continue
		}
		// mutate one byte after the header
		pos := 8 + rng.Intn(len(b)-8)
		b[pos] = byte(rng.Intn(256))
		out, _ := exec.Command("ovs-ofctl", "ofp-print", hex.EncodeToString(b)).CombinedOutput()
		o := string(out)
		ovsErr := ""
		if mm := regexp.MustCompile(`decode error: ([A-Z0-9_]+)`).FindStringSubmatch(o); mm != nil {
			ovsErr = mm[1]
		} else if strings.Contains(o, "***") {
			ovsErr = "OTHER"
		}
		_, derr := Decode(b)
		ours := ""
		if derr != nil {
			e, _ := AsError(derr)
			ours = e.Name()
		}
		if ours != ovsErr && !(ovsErr == "OTHER") {
			n++
			if n < 40 {
				t.Logf("%x pos %d: ours %q ovs %q (%v)\n%s", b[:min(len(b), 48)], pos, ours, ovsErr, derr, firstLine(o))
			}
		}
	}
	t.Logf("%d mismatches", n)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
