//go:build govsdebug

package packet

// debugPool is true in debug builds (-tags govsdebug): freed buffers are
// poisoned so that a use after free shows up as garbage, and every packet
// descriptor counts its allocations (Packet.Generation).
const debugPool = true
