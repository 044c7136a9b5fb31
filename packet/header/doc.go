// Package header provides typed views of protocol headers over byte slices,
// in the style of gVisor's tcpip/header: a view such as IPv4 is a []byte
// whose methods read and write the header's fields in place. A view does not
// own its bytes and does no bounds checks of its own beyond Go's: call
// IsValid (or check the length against the header's minimum size) before
// using the accessors on untrusted input.
//
// It also holds the Internet checksum primitives (RFC 1071, RFC 1624) that
// the views and package packet share.
//
// This package is a leaf: it imports nothing from govs.
package header
