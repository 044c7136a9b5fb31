package main

import (
	"reflect"
	"testing"
)

func TestParseVswitchd(t *testing.T) {
	t.Setenv("OVS_RUNDIR", "/run/x")
	tests := []struct {
		name    string
		args    []string
		check   func(c *config) bool
		wantErr string
	}{
		{"defaults", nil, func(c *config) bool {
			return c.database == "unix:/run/x/db.sock" && c.pidfile == "" && !c.detach
		}, ""},
		{"database and pidfile", []string{"--pidfile", "tcp:1.2.3.4:6640"}, func(c *config) bool {
			return c.database == "tcp:1.2.3.4:6640" && c.pidfile == "/run/x/ovs-vswitchd.pid"
		}, ""},
		{"relative pidfile", []string{"--pidfile=foo.pid"}, func(c *config) bool { return c.pidfile == "/run/x/foo.pid" }, ""},
		{"permuted", []string{"unix:/db", "--detach", "--no-chdir"}, func(c *config) bool {
			return c.database == "unix:/db" && c.detach && c.noChdir
		}, ""},
		{"verbosity", []string{"-v", "-vvconn", "--verbose=file:dbg"}, func(c *config) bool {
			return reflect.DeepEqual(c.verbosity, []string{"", "vconn", "file:dbg"})
		}, ""},
		{"unixctl separate arg", []string{"--unixctl", "/x.ctl"}, func(c *config) bool { return c.unixctl == "/x.ctl" }, ""},
		{"prefix", []string{"--overwrite", "--mlock"}, func(c *config) bool { return c.overwritePidfile && c.mlockall }, ""},
		{"dummy override", []string{"--enable-dummy=override"}, func(c *config) bool { return c.enableDummy && c.dummyOverride }, ""},
		{"ssl ignored", []string{"-p", "key.pem", "--ssl-ciphers=x"}, func(c *config) bool {
			return reflect.DeepEqual(c.ignored, []string{"--private-key", "--ssl-ciphers"})
		}, ""},
		{"after --", []string{"--", "--detach"}, func(c *config) bool { return c.database == "--detach" && !c.detach }, ""},
		{"unknown", []string{"--bogus"}, nil, "unrecognized option '--bogus'"},
		{"unknown short", []string{"-x"}, nil, "invalid option -- 'x'"},
		{"missing arg", []string{"--user"}, nil, "option '--user' requires an argument"},
		{"missing short arg", []string{"-c"}, nil, "option requires an argument -- 'c'"},
		{"arg not allowed", []string{"--detach=1"}, nil, "option '--detach' doesn't allow an argument"},
		{"two databases", []string{"a", "b"}, nil, "at most one non-option argument accepted; use --help for usage"},
		{"bad dummy", []string{"--enable-dummy=foo"}, nil, "--enable-dummy: unknown argument \"foo\" (use \"override\" or \"system\")"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parseVswitchd(tc.args)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(c) {
				t.Errorf("unexpected config %+v", c)
			}
		})
	}
}

func TestFormatMemory(t *testing.T) {
	got := formatMemory(map[string]uint64{"rules": 5, "handlers": 1, "ports": 1, "idl-cells-Open_vSwitch": 96, "revalidators": 1})
	if want := "handlers:1 idl-cells-Open_vSwitch:96 ports:1 revalidators:1 rules:5"; got != want {
		t.Errorf("got %q want %q", got, want)
	}
	if formatMemory(nil) != "" {
		t.Error("empty memory report not empty")
	}
}

// FuzzGetopt checks that arbitrary command lines never panic the parser.
func FuzzGetopt(f *testing.F) {
	f.Add("--pidfile=x", "-vvconn", "db")
	f.Add("-pC", "--", "-")
	f.Add("--d", "--user", "")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		parseVswitchd([]string{a, b, c})
	})
}
