package main

import (
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	os.Exit(run(os.Args))
}

// run dispatches on the program name and subcommand and returns the exit
// status.
func run(argv []string) int {
	if filepath.Base(argv[0]) == programName {
		return vswitchd(argv[1:])
	}
	if len(argv) < 2 {
		fmt.Fprint(os.Stderr, topUsage())
		return 1
	}
	switch argv[1] {
	case "vswitchd":
		return vswitchd(argv[2:])
	case "demo":
		return demo(argv[2:], os.Stdout, os.Stderr)
	case "version", "--version", "-V":
		fmt.Print(versionText())
		return 0
	case "help", "--help", "-h":
		fmt.Print(topUsage())
		return 0
	default:
		fmt.Fprintf(os.Stderr, "govs: unknown command \"%s\" (use \"govs help\")\n", argv[1])
		return 1
	}
}

func topUsage() string {
	return `govs: an Open vSwitch in Go
usage: govs COMMAND [ARG...]
Commands:
  vswitchd [DATABASE] [OPTIONS]  the switch daemon (like ovs-vswitchd; see "govs vswitchd --help")
  demo [--no-iperf]              (root) a private switch, two namespaces, ping, iperf3, flows, trace
  version                        print version information
  help                           print this message
`
}
