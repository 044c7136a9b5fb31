package vswitchdb

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ovn-kubernetes/libovsdb/client"
)

// stockServer runs a stock ovsdb-server on a fresh database in dir and
// returns a function that stops it.
func stockServer(t *testing.T, dir string, create bool) func() {
	t.Helper()
	db := filepath.Join(dir, "conf.db")
	if create {
		if out, err := exec.Command("ovsdb-tool", "create", db, "vswitch.ovsschema").CombinedOutput(); err != nil {
			t.Fatalf("ovsdb-tool: %v: %s", err, out)
		}
	}
	sock := filepath.Join(dir, "db.sock")
	cmd := exec.Command("ovsdb-server", db, "--remote=punix:"+sock, "--no-chdir",
		"--unixctl="+filepath.Join(dir, "ovsdb-server.ctl"), "-vconsole:off")
	cmd.Env = append(os.Environ(), "OVS_RUNDIR="+dir, "OVS_LOGDIR="+dir, "OVS_DBDIR="+dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cmd.Process.Kill()
			cmd.Wait()
			os.Remove(sock)
		}
	}
	t.Cleanup(stop)
	for i := 0; i < 500; i++ {
		if _, err := os.Stat(sock); err == nil {
			return stop
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("ovsdb-server did not create its socket")
	return nil
}

func vsctl(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("ovs-vsctl", append([]string{"--no-wait", "--db=unix:" + filepath.Join(dir, "db.sock")}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ovs-vsctl %v: %v: %s", args, err, out)
	}
}

func needStock(t *testing.T) {
	for _, b := range []string{"ovsdb-server", "ovsdb-tool", "ovs-vsctl"} {
		if _, err := exec.LookPath(b); err != nil {
			t.Skipf("%s not installed", b)
		}
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func bridges(c client.Client) []string {
	var bs []Bridge
	if err := c.List(context.Background(), &bs); err != nil {
		return nil
	}
	var names []string
	for _, b := range bs {
		names = append(names, b.Name)
	}
	return names
}

func TestConnectMonitorReconnect(t *testing.T) {
	needStock(t)
	dir := t.TempDir()
	stop := stockServer(t, dir, true)
	vsctl(t, dir, "init")
	vsctl(t, dir, "add-br", "br0")

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := Connect(ctx, "unix:"+filepath.Join(dir, "db.sock"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var ovs []OpenvSwitch
	if err := c.List(ctx, &ovs); err != nil || len(ovs) != 1 {
		t.Fatalf("Open_vSwitch rows: %v %v", ovs, err)
	}
	if got := bridges(c); len(got) != 1 || got[0] != "br0" {
		t.Fatalf("bridges %v", got)
	}
	vsctl(t, dir, "add-br", "br1")
	waitFor(t, "monitor update", func() bool { return len(bridges(c)) == 2 })

	// Restart the server with a changed database (the bridges stay): the client reconnects
	// and its cache follows.
	stop()
	cmd := exec.Command("ovsdb-tool", "transact", filepath.Join(dir, "conf.db"),
		`["Open_vSwitch",{"op":"update","table":"Open_vSwitch","where":[],"row":{"next_cfg":42}}]`)
	if out, err := cmd.CombinedOutput(); err != nil || strings.Contains(string(out), "error") {
		t.Fatalf("ovsdb-tool transact: %v %s", err, out)
	}
	stockServer(t, dir, false)
	waitFor(t, "reconnect", func() bool {
		var ovs []OpenvSwitch
		return c.Connected() && c.List(ctx, &ovs) == nil && len(ovs) == 1 && ovs[0].NextCfg == 42
	})
}

func TestConnectWaitsForServer(t *testing.T) {
	needStock(t)
	dir := t.TempDir()
	done := make(chan error, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var c client.Client
	go func() {
		var err error
		c, err = Connect(ctx, "unix:"+filepath.Join(dir, "db.sock"), nil)
		done <- err
	}()
	time.Sleep(200 * time.Millisecond)
	stockServer(t, dir, true)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	c.Close()
}

func TestConnectErrors(t *testing.T) {
	tests := []struct{ name, endpoint string }{
		{"bad scheme", "ssl:1.2.3.4:6640"},
		{"no server", "unix:" + filepath.Join(t.TempDir(), "none.sock")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			if c, err := Connect(ctx, tc.endpoint, nil); err == nil {
				c.Close()
				t.Fatal("Connect succeeded")
			}
		})
	}
}
