package bridge

import (
	"errors"
	"fmt"
	"maps"
	"syscall"

	"govs.dev/govs/netdev"
	"govs.dev/govs/netdev/afpacket"
	"govs.dev/govs/netdev/link"
	"govs.dev/govs/netdev/tap"
	"govs.dev/govs/ovsdb/vswitchdb"
)

// Interface kinds backed by kernel devices on the userspace ("netdev")
// datapath: "system" is an AF_PACKET socket on an existing interface,
// "internal" and "tap" are TAP devices govs creates (or adopts after a
// restart).
const (
	kindSystem   = "system"
	kindInternal = "internal"
	kindTap      = "tap"
)

// isKernelKind reports whether kind is backed by a kernel interface.
func isKernelKind(kind string) bool {
	return kind == kindSystem || kind == kindInternal || kind == kindTap
}

// kernelDevice is a datapath device that sits on a kernel interface.
type kernelDevice interface {
	netdev.Device
	Ifindex() int
}

// tapDevice is a kernelDevice govs created as a TAP (internal and tap
// kinds), which exit --cleanup removes.
type tapDevice interface {
	kernelDevice
	Delete() error
}

// dpPortType is the type dpif/show and dpctl/show print for a port of
// kind: OVS's userspace datapath implements internal ports as taps.
func dpPortType(kind string) string {
	if kind == kindInternal {
		return kindTap
	}
	return kind
}

// openKernel opens the device of a kernel-backed interface.
func openKernel(name, kind string) (kernelDevice, error) {
	switch kind {
	case kindSystem:
		d, err := afpacket.Open(name, afpacket.Options{})
		if err != nil {
			return nil, err
		}
		return d, nil
	case kindInternal, kindTap:
		d, err := tap.Open(name, tap.Options{Type: kind})
		if err != nil {
			return nil, err
		}
		return d, nil
	}
	return nil, fmt.Errorf("%s: kind %q is not a kernel device", name, kind)
}

// errnoText is the strerror text OVS puts in Interface.error for err.
func errnoText(err error) string {
	var en syscall.Errno
	if errors.As(err, &en) {
		return en.Error()
	}
	if errors.Is(err, link.ErrNotFound) {
		return syscall.ENODEV.Error()
	}
	return err.Error()
}

// capitalized returns s with its first letter upper-cased, as strerror
// texts are ("No such device").
func capitalized(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// openError is the Interface.error text for a device that cannot be opened.
func openError(name string, err error) error {
	return fmt.Errorf("could not open network device %s (%s)", name, capitalized(errnoText(err)))
}

// kernelStatus is the Interface columns OVS fills from a kernel device.
type kernelStatus struct {
	ifindex    int
	speedBps   uint64
	duplex     string
	status     map[string]string
	linkResets int
}

// probeKernel reads the ethtool facts of a kernel interface once, when it
// is opened.
func probeKernel(name string, idx int) kernelStatus {
	ks := kernelStatus{ifindex: idx}
	if info, err := link.ReadEthtool(name); err == nil {
		ks.speedBps, ks.duplex = info.SpeedBps, info.Duplex
		ks.status = map[string]string{
			"driver_name":      info.Driver,
			"driver_version":   info.DriverVersion,
			"firmware_version": info.FirmwareVersion,
		}
	}
	return ks
}

// statsMap is the Interface.statistics column of s, with OVS's key names;
// counters the device does not keep are left out, as OVS does.
func statsMap(st netdev.Stats) map[string]int {
	m := map[string]int{}
	put := func(k string, v uint64) {
		if v != netdev.Unknown {
			m[k] = int(v)
		}
	}
	put("rx_packets", st.RxPackets)
	put("rx_bytes", st.RxBytes)
	put("rx_dropped", st.RxDropped)
	put("rx_errors", st.RxErrors)
	put("tx_packets", st.TxPackets)
	put("tx_bytes", st.TxBytes)
	put("tx_dropped", st.TxDropped)
	put("tx_errors", st.TxErrors)
	return m
}

// kernelPresent reports whether the kernel interface name exists, and its
// index.
func kernelPresent(name string) (int, bool) {
	info, err := link.ByName(name)
	if err != nil {
		return 0, false
	}
	return info.Index, true
}

// attachKernel opens ifc's kernel device and adds it to the datapath.
// Caller holds s.mu.
func (s *switchd) attachKernel(b *brState, ifc *ifState) error {
	dev, err := openKernel(ifc.name, ifc.kind)
	if err != nil {
		return openError(ifc.name, err)
	}
	no, err := b.backer.DP.AddPort(ifc.name, dev, 0)
	if err != nil {
		dev.Close()
		return fmt.Errorf("could not add network device %s to ofproto (%w)", ifc.name, err)
	}
	ifc.dev, ifc.dpPort, ifc.hasDP, ifc.gone = dev, no, true, false
	ifc.mac = dev.MAC()
	ifc.ks = probeKernel(ifc.name, dev.Ifindex())
	ifc.mtuReq = 0
	return nil
}

// detachDevice takes ifc's device out of the datapath and closes it;
// deleteTap also removes a tap govs created from the kernel. Caller holds
// s.mu.
func (s *switchd) detachDevice(b *brState, ifc *ifState, deleteTap bool) {
	if ifc.hasDP {
		if err := b.backer.DP.DelPort(ifc.dpPort); err != nil {
			log.Warn("bridge %s: delete datapath port %s: %v", b.name, ifc.name, err)
		}
		ifc.hasDP = false
	}
	if ifc.dev != nil {
		if t, ok := ifc.dev.(tapDevice); ok && deleteTap {
			if err := t.Delete(); err != nil {
				log.Warn("bridge %s: delete tap %s: %v", b.name, ifc.name, err)
			}
		} else if err := ifc.dev.Close(); err != nil {
			log.Warn("bridge %s: close %s: %v", b.name, ifc.name, err)
		}
		ifc.dev = nil
	}
}

// refreshKernel follows the kernel interface behind a system port: when it
// vanished (or was replaced by another interface of the same name) the
// port leaves the datapath and keeps its OpenFlow number, with
// Interface.error and link_state saying why; when it is back, the port is
// reopened and forwards again. Internal and tap interfaces are govs's own
// devices: one deleted from under govs is created again at once (see
// refreshTap). Caller holds s.mu.
func (s *switchd) refreshKernel(b *brState, ifc *ifState) {
	if ifc.kind != kindSystem {
		s.refreshTap(b, ifc)
		return
	}
	idx, ok := kernelPresent(ifc.name)
	switch {
	case !ifc.gone && ok && idx == ifc.ks.ifindex:
		return
	case !ifc.gone:
		log.Info("bridge %s: interface %s disappeared from the kernel", b.name, ifc.name)
		s.detachDevice(b, ifc, false)
		ifc.gone = true
		ifc.ks.ifindex = 0
		if !ok {
			return
		}
		fallthrough
	default: // gone
		if !ok {
			return
		}
		if err := s.attachKernel(b, ifc); err != nil {
			log.Info("bridge %s: interface %s is back but %v", b.name, ifc.name, err)
			return
		}
		log.Info("bridge %s: interface %s is back, on datapath port %d", b.name, ifc.name, ifc.dpPort)
	}
}

// refreshTap recreates the TAP device of an internal or tap interface that
// was deleted from the kernel by someone else (ip link del): the database
// still says the port exists, so govs makes it exist again, with the same
// OpenFlow port number and Ethernet address; the same reconciliation then
// applies its MTU (and Interface.mac) again. Stock OVS instead keeps polling the dead file descriptor and
// logs an error for every poll. The new device starts administratively
// down, as any new internal port. If it cannot be created, the port stays
// out of the datapath with Interface.error set, and every later link event
// or reconfiguration retries. Caller holds s.mu.
func (s *switchd) refreshTap(b *brState, ifc *ifState) {
	idx, ok := kernelPresent(ifc.name)
	if !ifc.gone && ok && idx == ifc.ks.ifindex {
		return
	}
	if !ifc.gone {
		log.Info("bridge %s: interface %s disappeared from the kernel, creating it again", b.name, ifc.name)
		s.detachDevice(b, ifc, false)
		ifc.gone = true
		ifc.ks.ifindex = 0
	}
	mac := ifc.mac
	if err := s.attachKernel(b, ifc); err != nil {
		log.Info("bridge %s: interface %s: %v", b.name, ifc.name, err)
		return
	}
	// The same Ethernet address as before, so that neighbours' caches
	// stay right.
	if mac != ([6]byte{}) && ifc.dev.MAC() != mac {
		if err := ifc.dev.SetMAC(mac); err != nil {
			log.Info("bridge %s: interface %s: restoring its MAC: %v", b.name, ifc.name, err)
		} else {
			ifc.mac = mac
		}
	}
	log.Info("bridge %s: interface %s created again, on datapath port %d", b.name, ifc.name, ifc.dpPort)
}

// applyMTU applies Interface.mtu_request to a kernel device.
func (s *switchd) applyMTU(b *brState, ifc *ifState, req int) {
	if ifc.dev == nil || req == ifc.mtuReq {
		return
	}
	ifc.mtuReq = req
	if req <= 0 || req == ifc.dev.MTU() {
		return
	}
	if err := ifc.dev.SetMTU(req); err != nil {
		log.Warn("bridge %s: interface %s: setting MTU to %d failed: %v", b.name, ifc.name, req, err)
	}
}

func equalStrPtr(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func formatMAC(m [6]byte) string {
	return fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5])
}

// kernelStatusCols brings r's kernel-device columns up to date and returns
// the changed ones: mac_in_use, mtu, admin_state, link_state, link_resets,
// ifindex, link_speed, duplex, status, and (withStats) statistics.
func (s *switchd) kernelStatusCols(r *vswitchdb.Interface, ifc *ifState, withStats bool) []interface{} {
	var cols []interface{}
	setInt := func(dst **int, v int, present bool) {
		switch {
		case !present && *dst != nil:
			*dst = nil
		case present && (*dst == nil || **dst != v):
			*dst = &v
		default:
			return
		}
		cols = append(cols, dst)
	}
	admin, linkUp := false, false
	if ifc.dev != nil {
		fl := ifc.dev.Flags()
		admin, linkUp = fl&netdev.FlagUp != 0, fl&netdev.FlagRunning != 0
		ifc.mac = ifc.dev.MAC()
		mac := formatMAC(ifc.mac)
		if r.MACInUse == nil || *r.MACInUse != mac {
			r.MACInUse = &mac
			cols = append(cols, &r.MACInUse)
		}
		setInt(&r.MTU, ifc.dev.MTU(), true)
	}
	if linkUp && !ifc.running {
		ifc.ks.linkResets++
	}
	ifc.running = linkUp
	as, ls := vswitchdb.InterfaceAdminStateDown, vswitchdb.InterfaceLinkStateDown
	if admin {
		as = vswitchdb.InterfaceAdminStateUp
	}
	if linkUp {
		ls = vswitchdb.InterfaceLinkStateUp
	}
	if r.AdminState == nil || *r.AdminState != as {
		r.AdminState = &as
		cols = append(cols, &r.AdminState)
	}
	if r.LinkState == nil || *r.LinkState != ls {
		r.LinkState = &ls
		cols = append(cols, &r.LinkState)
	}
	setInt(&r.LinkResets, ifc.ks.linkResets, true)
	setInt(&r.Ifindex, ifc.ks.ifindex, true)
	setInt(&r.LinkSpeed, int(ifc.ks.speedBps), ifc.ks.speedBps != 0)
	if d := ifc.ks.duplex; d != "" && (r.Duplex == nil || *r.Duplex != d) {
		r.Duplex = &d
		cols = append(cols, &r.Duplex)
	}
	if st := ifc.ks.status; st != nil && !maps.Equal(st, r.Status) {
		r.Status = st
		cols = append(cols, &r.Status)
	}
	if withStats && ifc.dev != nil {
		if m := statsMap(ifc.dev.Stats()); !maps.Equal(m, r.Statistics) {
			r.Statistics = m
			cols = append(cols, &r.Statistics)
		}
	}
	return cols
}

// followMinMTU gives the bridge's internal ports without mtu_request the
// smallest MTU of its other kernel ports, as OVS does, so that the host
// stack never sends frames a port would drop. Caller holds s.mu.
func (s *switchd) followMinMTU(b *brState) {
	minMTU := 0
	for _, ifc := range b.ifaces {
		if ifc.dev == nil || ifc.kind != kindSystem && ifc.kind != kindTap {
			continue
		}
		if m := ifc.dev.MTU(); m > 0 && (minMTU == 0 || m < minMTU) {
			minMTU = m
		}
	}
	if minMTU == 0 {
		return
	}
	for _, ifc := range b.ifaces {
		if ifc.kind != kindInternal || ifc.dev == nil || ifc.mtuReq > 0 || ifc.dev.MTU() == minMTU {
			continue
		}
		if err := ifc.dev.SetMTU(minMTU); err != nil {
			log.Warn("bridge %s: interface %s: setting MTU to %d failed: %v", b.name, ifc.name, minMTU, err)
		}
	}
}

// applyIfaceMAC sets an internal interface's Ethernet address from
// Interface.mac, refusing multicast and zero addresses as OVS does.
func (s *switchd) applyIfaceMAC(b *brState, ifc *ifState, text string) {
	mac, err := parseMAC(text)
	if err != nil || ifc.dev == nil || ifc.dev.MAC() == mac {
		return
	}
	switch {
	case mac[0]&1 != 0:
		log.Err("interface %s: cannot set MAC to multicast address", ifc.name)
	case mac == [6]byte{}:
		log.Err("interface %s: cannot set MAC to all zero address", ifc.name)
	default:
		if err := ifc.dev.SetMAC(mac); err != nil {
			log.Err("interface %s: setting MAC failed (%v)", ifc.name, err)
			return
		}
		ifc.mac = mac
	}
}
