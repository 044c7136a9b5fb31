//go:build !govsdebug

package packet

// debugPool is false in normal builds; see debug_on.go.
const debugPool = false
