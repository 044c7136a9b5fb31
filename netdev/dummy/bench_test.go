package dummy

import (
	"testing"

	"govs.dev/govs/packet"
)

// rxTx moves one batch through Receive's queue, Rx and Tx.
func rxTx(d *Device, c *packet.Cache, b *packet.Batch) {
	d.Rx(0, b, c)
	d.Tx(0, b, c)
}

func fill(d *Device, frames [][]byte) { d.Receive(frames...) }

func TestRxTxAllocs(t *testing.T) {
	_, c := newPool(t)
	d, _ := New("p1", Options{KeepTx: 8})
	defer d.Close()
	frames := make([][]byte, packet.BatchSize)
	for i := range frames {
		frames[i] = frame(64, byte(i))
	}
	var b packet.Batch
	fill(d, frames)
	rxTx(d, c, &b)
	if n := testing.AllocsPerRun(100, func() { fill(d, frames); rxTx(d, c, &b) }); n != 0 {
		t.Fatalf("%v allocations per batch", n)
	}
}

func BenchmarkRxTx(b *testing.B) {
	_, c := newPool(b)
	d, _ := New("p1", Options{})
	defer d.Close()
	frames := make([][]byte, packet.BatchSize)
	for i := range frames {
		frames[i] = frame(64, byte(i))
	}
	var bt packet.Batch
	for b.Loop() {
		fill(d, frames)
		rxTx(d, c, &bt)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*packet.BatchSize), "ns/pkt")
}
