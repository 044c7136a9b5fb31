package header

import "encoding/binary"

// VirtioNetHdr is a view of the virtio-net header (struct virtio_net_hdr,
// VIRTIO 1.x section 5.1.6) that TAP (IFF_VNET_HDR) and AF_PACKET
// (PACKET_VNET_HDR) put in front of each packet to carry checksum and
// segmentation offload state. Multi-byte fields are little-endian (the
// kernel uses the host's order, which is little-endian on every platform
// govs supports). The legacy header is 10 bytes; the mergeable-buffers
// variant adds num_buffers (12 bytes).
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Flags     |   GSO type    |      Header length (LE)       |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|        GSO size (LE)          |      Checksum start (LE)      |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|      Checksum offset (LE)     |  Number of buffers (LE, opt.) |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
type VirtioNetHdr []byte

// Sizes of the virtio-net header.
const (
	VirtioNetHdrSize          = 10
	VirtioNetHdrMrgRxBufsSize = 12
)

// Flags of VirtioNetHdr.
const (
	VirtioNetHdrFNeedsCsum = 1 // checksum from CsumStart, stored at CsumStart+CsumOffset
	VirtioNetHdrFDataValid = 2 // checksums verified
	VirtioNetHdrFRscInfo   = 4
)

// GSO types of VirtioNetHdr.
const (
	VirtioNetHdrGSONone  = 0
	VirtioNetHdrGSOTCPv4 = 1
	VirtioNetHdrGSOUDP   = 3
	VirtioNetHdrGSOTCPv6 = 4
	VirtioNetHdrGSOUDPL4 = 5
	VirtioNetHdrGSOECN   = 0x80
)

// IsValid reports whether b is long enough for the 10-byte header.
func (b VirtioNetHdr) IsValid() bool { return len(b) >= VirtioNetHdrSize }

// Flags returns the flags.
func (b VirtioNetHdr) Flags() uint8 { return b[0] }

// GSOType returns the GSO type (with the ECN bit).
func (b VirtioNetHdr) GSOType() uint8 { return b[1] }

// HdrLen returns the length of the headers to replicate per segment.
func (b VirtioNetHdr) HdrLen() uint16 { return binary.LittleEndian.Uint16(b[2:]) }

// GSOSize returns the segment payload size.
func (b VirtioNetHdr) GSOSize() uint16 { return binary.LittleEndian.Uint16(b[4:]) }

// CsumStart returns the offset where checksumming starts.
func (b VirtioNetHdr) CsumStart() uint16 { return binary.LittleEndian.Uint16(b[6:]) }

// CsumOffset returns the offset of the checksum field from CsumStart.
func (b VirtioNetHdr) CsumOffset() uint16 { return binary.LittleEndian.Uint16(b[8:]) }

// NumBuffers returns num_buffers of the 12-byte variant.
func (b VirtioNetHdr) NumBuffers() uint16 { return binary.LittleEndian.Uint16(b[10:]) }

// SetFlags sets the flags.
func (b VirtioNetHdr) SetFlags(v uint8) { b[0] = v }

// SetGSOType sets the GSO type.
func (b VirtioNetHdr) SetGSOType(v uint8) { b[1] = v }

// SetHdrLen sets the header length.
func (b VirtioNetHdr) SetHdrLen(v uint16) { binary.LittleEndian.PutUint16(b[2:], v) }

// SetGSOSize sets the GSO size.
func (b VirtioNetHdr) SetGSOSize(v uint16) { binary.LittleEndian.PutUint16(b[4:], v) }

// SetCsumStart sets the checksum start.
func (b VirtioNetHdr) SetCsumStart(v uint16) { binary.LittleEndian.PutUint16(b[6:], v) }

// SetCsumOffset sets the checksum offset.
func (b VirtioNetHdr) SetCsumOffset(v uint16) { binary.LittleEndian.PutUint16(b[8:], v) }

// SetNumBuffers sets num_buffers of the 12-byte variant.
func (b VirtioNetHdr) SetNumBuffers(v uint16) { binary.LittleEndian.PutUint16(b[10:], v) }
