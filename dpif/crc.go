package dpif

import "hash/crc32"

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// crc32c is SCTP's checksum (RFC 4960 appendix B).
func crc32c(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }
