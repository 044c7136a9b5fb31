package dpif

import (
	"govs.dev/govs/coverage"
	"govs.dev/govs/netdev"
	"govs.dev/govs/packet"
)

// Offload counters (coverage/show). A GSO packet handed whole to a device
// that accepts it counts as a pass-through; one cut into segments because
// the device cannot take it counts once in softSegGood (or softSegDrops
// when it cannot be cut); a partial checksum completed in software counts
// once per packet.
var (
	covSoftCsum       = coverage.Define("netdev_soft_csum")
	covSoftSegGood    = coverage.Define("netdev_soft_seg_good")
	covSoftSegDrops   = coverage.Define("netdev_soft_seg_drops")
	covGSOPassthrough = coverage.Define("netdev_gso_passthrough")
	covSoftCsumDrops  = coverage.Define("netdev_soft_csum_drops")
)

// gsoCap returns the device capability a GSO packet of type t needs.
func gsoCap(t uint8) netdev.Caps {
	switch t {
	case packet.GSOTCPv4:
		return netdev.CapTSO4
	case packet.GSOTCPv6:
		return netdev.CapTSO6
	case packet.GSOUDPL4:
		return netdev.CapTxUDPGSO
	}
	return 0
}

// needsTxFixup reports whether any packet of b carries offload state the
// device with caps cannot take. Hot path: one pass over the batch's
// metadata, no allocation.
func needsTxFixup(b *packet.Batch, caps netdev.Caps) bool {
	gso := uint64(0)
	for _, p := range b.Pkts[:b.N] {
		m := &p.Meta
		if m.GSOType != packet.GSONone {
			if caps&gsoCap(m.GSOType) == 0 {
				return true
			}
			gso++
			continue
		}
		if m.CsumPartial && caps&netdev.CapTxCsum == 0 {
			return true
		}
	}
	if gso > 0 {
		covGSOPassthrough.Add(gso)
	}
	return false
}

// txFixup sends lp.tx through the device after completing in software what
// the device cannot take: GSO packets it does not accept are segmented
// (the segments go out in order, in as many device batches as needed) and
// partial checksums it cannot finish are completed. Packets that cannot be
// fixed are dropped and counted. On return lp.tx is empty. Runs on the
// loop; the tx lock of the queue, if shared, is held by the caller.
func (l *loop) txFixup(lp *loopPort, caps netdev.Caps) error {
	in := &lp.tx
	out := &l.segb
	var firstErr error
	send := func() {
		if out.N == 0 {
			return
		}
		if err := lp.p.dev.Tx(lp.txq, out, l.cache); err != nil && firstErr == nil {
			firstErr = err
		}
		if out.N != 0 {
			l.cache.FreeBatch(out)
		}
	}
	for i := 0; i < in.N; i++ {
		p := in.Pkts[i]
		in.Pkts[i] = nil
		m := &p.Meta
		switch {
		case m.GSOType != packet.GSONone && caps&gsoCap(m.GSOType) == 0:
			next := 0
			n, err := packet.NumSegments(p)
			if err != nil {
				covSoftSegDrops.Inc()
				l.stats.txOffloadDrops.add(1)
				l.cache.Free(p)
				continue
			}
			for next < n {
				if out.Full() {
					send()
				}
				next, err = packet.SegmentFrom(p, l.cache, out, next)
				if err != nil {
					break
				}
			}
			if err != nil {
				covSoftSegDrops.Inc()
				l.stats.txOffloadDrops.add(1)
			} else {
				covSoftSegGood.Inc()
			}
			l.cache.Free(p)
			continue
		case m.GSOType != packet.GSONone:
			covGSOPassthrough.Inc()
		case m.CsumPartial && caps&netdev.CapTxCsum == 0:
			if err := packet.CompleteChecksum(p); err != nil {
				covSoftCsumDrops.Inc()
				l.stats.txOffloadDrops.add(1)
				l.cache.Free(p)
				continue
			}
			covSoftCsum.Inc()
		}
		if out.Full() {
			send()
		}
		out.Pkts[out.N] = p
		out.N++
	}
	in.N = 0
	send()
	return firstErr
}
