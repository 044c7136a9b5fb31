package afpacket

import (
	"encoding/binary"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"

	"govs.dev/govs/packet"
)

// gsoFrame is an Ethernet/IPv4/TCP frame of size bytes (TCP with 12 bytes
// of options, as Linux sends with timestamps) addressed from macA to macB,
// to be sent as a TCP GSO packet with a partial checksum.
func gsoFrame(size int) []byte {
	f := make([]byte, size)
	copy(f, macB[:])
	copy(f[6:], macA[:])
	binary.BigEndian.PutUint16(f[12:], 0x0800)
	ip := f[14:]
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], uint16(size-14))
	ip[8], ip[9] = 64, 6
	copy(ip[12:], []byte{10, 9, 0, 1, 10, 9, 0, 2})
	tcp := ip[20:]
	binary.BigEndian.PutUint16(tcp[0:], 40000)
	binary.BigEndian.PutUint16(tcp[2:], 5201)
	tcp[12] = 8 << 4
	tcp[13] = 0x18
	for i := 14 + 20 + 32; i < size; i++ {
		f[i] = byte(i)
	}
	return f
}

// gsoBatch is how many 64 KiB GSO packets one benchmark iteration sends:
// about what a forwarding loop finds per recvmmsg under a TCP stream.
const gsoBatch = 4

// roundTripGSO sends gsoBatch GSO frames from a and receives them on b,
// and returns how many arrived.
func roundTripGSO(a, b *Device, c *packet.Cache, frame []byte, out, in *packet.Batch) int {
	for range gsoBatch {
		p := c.Alloc(len(frame))
		copy(p.Data(), frame)
		m := &p.Meta
		m.GSOType, m.GSOSize = packet.GSOTCPv4, 1448
		m.CsumPartial, m.CsumStart, m.CsumOffset = true, 34, 16
		out.Add(p)
	}
	if err := a.Tx(0, out, c); err != nil {
		return -1
	}
	got := 0
	for spins := 0; got < gsoBatch && spins < 100000; spins++ {
		n, err := b.Rx(0, in, c)
		if err != nil {
			return -1
		}
		for _, p := range in.Slice() {
			if p.Len() == len(frame) && p.Meta.GSOType == packet.GSOTCPv4 {
				got++
			}
		}
		if n == 0 {
			runtime.Gosched()
		}
		c.FreeBatch(in)
	}
	return got
}

// threadCPU returns the calling thread's CPU time in nanoseconds.
func threadCPU() int64 {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_THREAD, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// BenchmarkRoundTripGSO sends batches of 64 KiB TCP GSO packets through a
// veth pair, Tx on one device and Rx on the other: the two copies (user to
// kernel, kernel to user) a forwarded TCP stream pays per byte.
func BenchmarkRoundTripGSO(bm *testing.B) {
	a, b, c := loopback(bm, Options{})
	frame := gsoFrame(65000)
	var out, in packet.Batch
	// Warm up: the first frames make Rx post big buffers.
	for range 4 {
		roundTripGSO(a, b, c, frame, &out, &in)
	}
	bm.SetBytes(int64(len(frame) * gsoBatch))
	bm.ReportAllocs()
	// The thread's CPU time is steadier than wall time on a shared
	// machine: the send runs the whole veth path in this thread.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu0 := threadCPU()
	lost := 0
	for bm.Loop() {
		lost += gsoBatch - roundTripGSO(a, b, c, frame, &out, &in)
	}
	bm.ReportMetric(float64(threadCPU()-cpu0)/float64(bm.N), "cpu-ns/op")
	if lost != 0 {
		bm.Logf("%d frames lost", lost)
	}
}
