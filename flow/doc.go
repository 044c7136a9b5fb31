// Package flow defines the flow key, the one structure every layer of govs
// classifies packets by, and the field registry ("meta-flow") that names each
// matchable field for OpenFlow (NXM/OXM codes), for the ovs-ofctl syntax and for
// set_field/load/move.
//
// A Key describes one packet (all fields exact) or, used as a mask, which bits
// of a Key matter. Match pairs the two. Keys are plain values without pointers,
// a multiple of 8 bytes long, so caches and classifiers can mask and hash them
// word by word (see Words).
//
// This package is a leaf: it imports nothing else from govs.
package flow
