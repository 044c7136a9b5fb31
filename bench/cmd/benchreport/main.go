// Command benchreport reads the CSV written by bench/run.sh and prints the
// summary table (median and min-max over rounds per config, and the ratios
// govs/linuxbr and govs/ovs of the medians), ending with the line
//
//	summary tcp_vs_linuxbr=R udp64_vs_ovs=R cpu_per_pkt_vs_ovs=R
//
// With -png it also draws the table as a bar chart, using only the standard
// library and a built-in bitmap font.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	csvPath := flag.String("csv", "", "benchmark CSV written by bench/run.sh")
	pngPath := flag.String("png", "", "write the chart to this PNG file")
	flag.Parse()
	if err := report(*csvPath, *pngPath); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
}

func report(csvPath, pngPath string) error {
	if csvPath == "" {
		return fmt.Errorf("-csv is required")
	}
	f, err := os.Open(csvPath)
	if err != nil {
		return fmt.Errorf("open csv: %w", err)
	}
	defer f.Close()
	rows, err := parseCSV(f)
	if err != nil {
		return fmt.Errorf("%s: %w", csvPath, err)
	}
	s := summarize(rows)
	if err := writeTable(os.Stdout, s); err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	if pngPath != "" {
		if err := writePNG(pngPath, s); err != nil {
			return fmt.Errorf("write chart: %w", err)
		}
	}
	return nil
}
