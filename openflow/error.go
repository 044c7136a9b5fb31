package openflow

import "fmt"

// Error is an OpenFlow error as a typed (type, code) pair in OpenFlow 1.3
// numbering for standard errors; Nicira extension errors use Type
// ErrTypeExperimenter-style values defined alongside. The codec translates
// to each version's numbering (and to NXET_VENDOR for OF1.0) on the wire.
type Error struct {
	Type uint16
	Code uint16
}

func (e Error) Error() string { return fmt.Sprintf("OpenFlow error type %d code %d", e.Type, e.Code) }
