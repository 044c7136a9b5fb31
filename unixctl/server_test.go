package unixctl

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func newTestServer(t *testing.T) *Server {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.ctl")
	s, err := ListenVersion(path, "ovs-vswitchd (Open vSwitch) 3.1.0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	s.Register("test/echo", "[arg...]", 0, 3, func(args []string) (string, error) {
		return strings.Join(args, ","), nil
	})
	s.Register("test/fail", "", 0, 0, func([]string) (string, error) {
		return "", errors.New("it failed")
	})
	s.Register("test/two", "a b", 2, 2, func(args []string) (string, error) {
		return args[0] + args[1] + "\n", nil
	})
	return s
}

// appctl runs stock ovs-appctl against the server's socket.
func appctl(t *testing.T, s *Server, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	bin, err := exec.LookPath("ovs-appctl")
	if err != nil {
		t.Skip("ovs-appctl not installed")
	}
	cmd := exec.Command(bin, append([]string{"--timeout=10", "-t", s.Path()}, args...)...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

func TestAppctl(t *testing.T) {
	s := newTestServer(t)
	tests := []struct {
		name       string
		args       []string
		wantOut    string
		wantErrOut string // first line of stderr
		wantCode   int
	}{
		{"version", []string{"version"}, "ovs-vswitchd (Open vSwitch) 3.1.0\n", "", 0},
		{"echo none", []string{"test/echo"}, "", "", 0},
		{"echo args", []string{"test/echo", "a", "b"}, "a,b\n", "", 0},
		{"two", []string{"test/two", "x", "y"}, "xy\n", "", 0},
		{"unknown", []string{"nope"}, "",
			`"nope" is not a valid command (use "list-commands" to see a list of valid commands)`, 2},
		{"too few", []string{"test/two", "x"}, "", `"test/two" command requires at least 2 arguments`, 2},
		{"too many", []string{"test/echo", "1", "2", "3", "4"}, "", `"test/echo" command takes at most 3 arguments`, 2},
		{"error", []string{"test/fail"}, "", "it failed", 2},
		{"help hidden", []string{"help"}, "The available commands are:\n" +
			"  list-commands           \n" +
			"  test/echo               [arg...]\n" +
			"  test/fail               \n" +
			"  test/two                a b\n" +
			"  version                 \n", "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := appctl(t, s, tc.args...)
			if out != tc.wantOut || code != tc.wantCode {
				t.Errorf("got stdout %q code %d, want %q code %d (stderr %q)", out, code, tc.wantOut, tc.wantCode, errOut)
			}
			first, _, _ := strings.Cut(errOut, "\n")
			if first != tc.wantErrOut {
				t.Errorf("stderr first line %q, want %q", first, tc.wantErrOut)
			}
		})
	}
}

func TestListCommandsMatchesHelp(t *testing.T) {
	s := newTestServer(t)
	a, err := s.Call("list-commands")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := s.Call("help")
	if a != b {
		t.Errorf("help %q != list-commands %q", b, a)
	}
	if strings.Contains(a, "help") {
		t.Errorf("list-commands shows hidden help: %q", a)
	}
}

func rawExchange(t *testing.T, s *Server, want int, msgs ...string) []map[string]any {
	t.Helper()
	c, err := net.Dial("unix", s.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	for _, m := range msgs {
		if _, err := c.Write([]byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	dec := json.NewDecoder(c)
	var out []map[string]any
	for {
		var v map[string]any
		if err := dec.Decode(&v); err != nil {
			return out
		}
		out = append(out, v)
		if len(out) == want {
			return out
		}
	}
}

func TestRawProtocol(t *testing.T) {
	s := newTestServer(t)
	t.Run("pipelined in order", func(t *testing.T) {
		got := rawExchange(t, s, 3,
			`{"method":"test/echo","params":["1"],"id":1}`,
			`{"method":"test/echo","params":["2"],"id":"two"}{"method":"test/fail","params":[],"id":3}`)
		if len(got) != 3 {
			t.Fatalf("got %d replies: %v", len(got), got)
		}
		if got[0]["result"] != "1\n" || got[0]["id"] != 1.0 || got[0]["error"] != nil {
			t.Errorf("reply 0: %v", got[0])
		}
		if got[1]["result"] != "2\n" || got[1]["id"] != "two" {
			t.Errorf("reply 1: %v", got[1])
		}
		if got[2]["error"] != "it failed\n" || got[2]["result"] != nil {
			t.Errorf("reply 2: %v", got[2])
		}
	})
	t.Run("non-string argument", func(t *testing.T) {
		got := rawExchange(t, s, 1, `{"method":"test/echo","params":[1],"id":1}`)
		if len(got) != 1 || got[0]["error"] != "\"test/echo\" command has non-string argument\n" {
			t.Errorf("got %v", got)
		}
	})
	for _, bad := range []string{
		`{"method":"test/echo","params":[],"id":null}`,
		`{"params":[],"id":1}`,
		`{"method":"test/echo","params":"x","id":1}`,
		`{"result":"x","error":null,"id":1}`,
		`[1,2,3]`,
		`{{{`,
	} {
		t.Run("drops "+bad, func(t *testing.T) {
			if got := rawExchange(t, s, 1, bad); len(got) != 0 {
				t.Errorf("got replies %v", got)
			}
		})
	}
}

func TestBlockingHandlerDoesNotBlockOthers(t *testing.T) {
	s := newTestServer(t)
	release := make(chan struct{})
	s.Register("test/block", "", 0, 0, func([]string) (string, error) {
		<-release
		return "done", nil
	})
	c, err := net.Dial("unix", s.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte(`{"method":"test/block","params":[],"id":0}`))
	if got := rawExchange(t, s, 1, `{"method":"version","params":[],"id":0}`); len(got) != 1 {
		t.Fatalf("second connection blocked: %v", got)
	}
	close(release)
	c.SetDeadline(time.Now().Add(5 * time.Second))
	var v map[string]any
	if err := json.NewDecoder(c).Decode(&v); err != nil || v["result"] != "done\n" {
		t.Fatalf("blocked reply %v %v", v, err)
	}
}

func TestCloseRemovesSocket(t *testing.T) {
	s := newTestServer(t)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := net.Dial("unix", s.Path()); err == nil {
		t.Error("socket still accepts after Close")
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestListenBadPath(t *testing.T) {
	if _, err := Listen(filepath.Join(t.TempDir(), "no", "such", "dir", "x.ctl")); err == nil {
		t.Error("Listen in missing directory succeeded")
	}
}

// FuzzHandle feeds arbitrary bytes to the request decoder: it must never
// panic and must either reply or drop the message.
func FuzzHandle(f *testing.F) {
	f.Add([]byte(`{"method":"version","params":[],"id":0}`))
	f.Add([]byte(`{"method":"test/echo","params":["a",1],"id":[1]}`))
	f.Add([]byte(`{"method":"test/two","params":[],"id":{}}`))
	s, err := Listen(filepath.Join(f.TempDir(), "fuzz.ctl"))
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	s.Register("test/echo", "", 0, Unlimited, func(args []string) (string, error) {
		return strings.Join(args, " "), nil
	})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, ok := s.handle(b)
		if ok && (r.Result == nil) == (r.Error == nil) {
			t.Fatalf("reply must have exactly one of result/error: %+v", r)
		}
	})
}

func TestCloseLetsReplyInProgressFinish(t *testing.T) {
	s := newTestServer(t)
	entered := make(chan struct{})
	release := make(chan struct{})
	s.Register("test/exit", "", 0, 0, func([]string) (string, error) {
		close(entered)
		<-release
		return "bye", nil
	})
	c, err := net.Dial("unix", s.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte(`{"method":"test/exit","params":[],"id":0}`))
	<-entered
	closed := make(chan struct{})
	go func() { s.Close(); close(closed) }()
	time.Sleep(20 * time.Millisecond)
	close(release)
	c.SetDeadline(time.Now().Add(5 * time.Second))
	var v map[string]any
	if err := json.NewDecoder(c).Decode(&v); err != nil || v["result"] != "bye\n" {
		t.Fatalf("reply during Close: %v %v", v, err)
	}
	<-closed
}

func TestHooks(t *testing.T) {
	s := newTestServer(t)
	var got []string
	s.SetHooks(Hooks{
		Received: func(m, p, id string) { got = append(got, "recv "+m+p+" id="+id) },
		Replied: func(ok bool, id, body string) {
			got = append(got, fmt.Sprintf("reply %v id=%s %q", ok, id, body))
		},
	})
	rawExchange(t, s, 2, `{"method":"test/echo","params":[ "a" ],"id":7}{"method":"x","params":[],"id":"q"}`)
	want := []string{
		`recv test/echo["a"] id=7`, `reply true id=7 "a"`,
		`recv x[] id="q"`, `reply false id="q" "\"x\" is not a valid command (use \"list-commands\" to see a list of valid commands)"`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestOversizedRequestDropsConnection(t *testing.T) {
	s := newTestServer(t)
	c, err := net.Dial("unix", s.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	go func() {
		c.Write([]byte(`{"method":"test/echo","params":["`))
		junk := bytes.Repeat([]byte("a"), 64<<10)
		for i := 0; i < 40; i++ { // 2.5 MiB, over the 1 MiB limit
			if _, err := c.Write(junk); err != nil {
				return
			}
		}
	}()
	buf := make([]byte, 1)
	if n, err := c.Read(buf); err == nil {
		t.Fatalf("expected the server to drop the connection, read %d bytes", n)
	}
}
