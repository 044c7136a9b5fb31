package testnet

import (
	"errors"
	"fmt"
	"net"
	"runtime"
	"time"

	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// RawSocket is an AF_PACKET socket on one interface of a network
// namespace, for tests that send frames they built themselves (tagged
// frames, for instance) and look at the frames that arrive. The kernel
// strips 802.1Q tags before packet sockets see a frame; Recv puts them back
// from the socket's auxiliary data, so frames read as they were on the
// wire. A RawSocket is used by one goroutine at a time.
type RawSocket struct {
	fd      int
	ifindex int
}

// OpenRawSocket opens a packet socket bound to ifname in namespace ns (""
// for the caller's own).
func OpenRawSocket(ns, ifname string) (*RawSocket, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if ns != "" {
		orig, err := netns.Get()
		if err != nil {
			return nil, fmt.Errorf("raw socket: current netns: %w", err)
		}
		defer orig.Close()
		target, err := netns.GetFromName(ns)
		if err != nil {
			return nil, fmt.Errorf("raw socket: netns %s: %w", ns, err)
		}
		defer target.Close()
		if err := netns.Set(target); err != nil {
			return nil, fmt.Errorf("raw socket: enter netns %s: %w", ns, err)
		}
		defer func() {
			if err := netns.Set(orig); err != nil {
				panic(fmt.Sprintf("testnet: cannot return to the original netns: %v", err))
			}
		}()
	}
	ifi, err := net.InterfaceByName(ifname)
	if err != nil {
		return nil, fmt.Errorf("raw socket: %s in netns %q: %w", ifname, ns, err)
	}
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, int(htons(unix.ETH_P_ALL)))
	if err != nil {
		return nil, fmt.Errorf("raw socket: %w", err)
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_PACKET, unix.PACKET_AUXDATA, 1); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("raw socket: PACKET_AUXDATA: %w", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ALL), Ifindex: ifi.Index}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("raw socket: bind %s: %w", ifname, err)
	}
	return &RawSocket{fd: fd, ifindex: ifi.Index}, nil
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

// Send transmits one Ethernet frame.
func (r *RawSocket) Send(frame []byte) error {
	if err := unix.Sendto(r.fd, frame, 0, &unix.SockaddrLinklayer{Ifindex: r.ifindex}); err != nil {
		return fmt.Errorf("raw socket: send: %w", err)
	}
	return nil
}

// ErrTimeout is returned by Recv when no frame matched in time.
var ErrTimeout = errors.New("raw socket: timed out")

// Recv returns the next received frame for which match returns true (nil
// matches any), with its 802.1Q tag restored, waiting at most timeout.
func (r *RawSocket) Recv(timeout time.Duration, match func([]byte) bool) ([]byte, error) {
	deadline := time.Now().Add(timeout)
	buf := make([]byte, 65536)
	oob := make([]byte, 256)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return nil, ErrTimeout
		}
		tv := unix.NsecToTimeval(left.Nanoseconds())
		if err := unix.SetsockoptTimeval(r.fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
			return nil, fmt.Errorf("raw socket: SO_RCVTIMEO: %w", err)
		}
		n, oobn, _, from, err := unix.Recvmsg(r.fd, buf, oob, 0)
		if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("raw socket: recv: %w", err)
		}
		if ll, ok := from.(*unix.SockaddrLinklayer); ok && ll.Pkttype == unix.PACKET_OUTGOING {
			continue
		}
		frame := append([]byte(nil), buf[:n]...)
		frame = restoreVLAN(frame, oob[:oobn])
		if match == nil || match(frame) {
			return frame, nil
		}
	}
}

// restoreVLAN re-inserts the 802.1Q tag the kernel moved to the auxiliary
// data.
func restoreVLAN(frame, oob []byte) []byte {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return frame
	}
	for _, m := range msgs {
		if m.Header.Level != unix.SOL_PACKET || m.Header.Type != unix.PACKET_AUXDATA || len(m.Data) < 20 {
			continue
		}
		// struct tpacket_auxdata: status u32, len u32, snaplen u32,
		// mac u16, net u16, vlan_tci u16, vlan_tpid u16.
		status := uint32(m.Data[0]) | uint32(m.Data[1])<<8 | uint32(m.Data[2])<<16 | uint32(m.Data[3])<<24
		if status&unix.TP_STATUS_VLAN_VALID == 0 || len(frame) < 12 {
			continue
		}
		tci := uint16(m.Data[16]) | uint16(m.Data[17])<<8
		tpid := uint16(0x8100)
		if status&unix.TP_STATUS_VLAN_TPID_VALID != 0 {
			tpid = uint16(m.Data[18]) | uint16(m.Data[19])<<8
		}
		out := make([]byte, 0, len(frame)+4)
		out = append(out, frame[:12]...)
		out = append(out, byte(tpid>>8), byte(tpid), byte(tci>>8), byte(tci))
		return append(out, frame[12:]...)
	}
	return frame
}

// Close closes the socket.
func (r *RawSocket) Close() error { return unix.Close(r.fd) }
