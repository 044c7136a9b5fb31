package dummy

import (
	"encoding/binary"
	"fmt"
	"os"
	"sync"
	"time"
)

// pcapWriter appends frames to a classic libpcap file (microsecond
// timestamps, LINKTYPE_ETHERNET). It is safe for concurrent use.
type pcapWriter struct {
	mu   sync.Mutex
	f    *os.File
	refs int
	hdr  [16]byte
}

// Pcap file constants (the classic libpcap format).
const (
	pcapMagic    = 0xa1b2c3d4
	pcapSnaplen  = 65535
	linkEthernet = 1
)

// openPcap opens name for appending, writing the global header when the
// file is empty, as OVS's ovs_pcap_open(name, "ab") does.
func openPcap(name string) (*pcapWriter, error) {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open pcap: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("stat pcap %s: %w", name, err)
	}
	if st.Size() == 0 {
		var h [24]byte
		binary.LittleEndian.PutUint32(h[0:], pcapMagic)
		binary.LittleEndian.PutUint16(h[4:], 2)
		binary.LittleEndian.PutUint16(h[6:], 4)
		binary.LittleEndian.PutUint32(h[16:], pcapSnaplen)
		binary.LittleEndian.PutUint32(h[20:], linkEthernet)
		if _, err := f.Write(h[:]); err != nil {
			f.Close()
			return nil, fmt.Errorf("write pcap header %s: %w", name, err)
		}
	}
	return &pcapWriter{f: f, refs: 1}, nil
}

// write appends one frame. Errors are counted by the caller, not returned
// per packet.
func (w *pcapWriter) write(frame []byte, now time.Time) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := min(len(frame), pcapSnaplen)
	us := now.UnixMicro()
	binary.LittleEndian.PutUint32(w.hdr[0:], uint32(us/1e6))
	binary.LittleEndian.PutUint32(w.hdr[4:], uint32(us%1e6))
	binary.LittleEndian.PutUint32(w.hdr[8:], uint32(n))
	binary.LittleEndian.PutUint32(w.hdr[12:], uint32(len(frame)))
	if _, err := w.f.Write(w.hdr[:]); err != nil {
		return err
	}
	_, err := w.f.Write(frame[:n])
	return err
}

func (w *pcapWriter) close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.refs--
	if w.refs > 0 {
		return nil
	}
	return w.f.Close()
}
