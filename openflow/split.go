package openflow

import "fmt"

// EncodeStatsReplies encodes m as one or more messages of at most maxLen
// bytes (0 means MaxMessageLen), splitting its entry list between them and
// setting the "more" flag (OFPSF_REPLY_MORE / OFPMPF_REPLY_MORE) on all but
// the last, as a switch must for large flow, port or group dumps. Kinds with
// a single body (DESC, AGGREGATE, features) always give one message.
func EncodeStatsReplies(m *StatsReply, maxLen int) ([][]byte, error) {
	if maxLen <= 0 || maxLen > MaxMessageLen {
		maxLen = MaxMessageLen
	}
	n := statsEntryCount(m)
	if n <= 1 {
		b, err := Encode(m)
		if err != nil {
			return nil, err
		}
		if len(b) > maxLen {
			return nil, fmt.Errorf("openflow: %d-byte stats reply exceeds %d: %w", len(b), maxLen, ErrOFPBRCBadLen)
		}
		return [][]byte{b}, nil
	}
	empty := *m
	setStatsEntries(&empty, m, 0, 0)
	head, err := Encode(&empty)
	if err != nil {
		return nil, err
	}
	hl := len(head)
	var out [][]byte
	cur := append([]byte(nil), head...)
	for i := 0; i < n; i++ {
		one := *m
		setStatsEntries(&one, m, i, i+1)
		b, err := Encode(&one)
		if err != nil {
			return nil, err
		}
		entry := b[hl:]
		if hl+len(entry) > maxLen {
			return nil, fmt.Errorf("openflow: stats entry of %d bytes exceeds %d: %w", len(entry), maxLen, ErrOFPBRCBadLen)
		}
		if len(cur)+len(entry) > maxLen {
			out = append(out, cur)
			cur = append([]byte(nil), head...)
		}
		cur = append(cur, entry...)
	}
	out = append(out, cur)
	for i, b := range out {
		setLenAndMore(b, i < len(out)-1)
	}
	return out, nil
}

// setLenAndMore patches the header length and the stats flags (bytes 10-11
// in every version) of an encoded stats reply.
func setLenAndMore(b []byte, more bool) {
	b[2], b[3] = byte(len(b)>>8), byte(len(b))
	flags := be16(b[10:])
	if more {
		flags |= StatsMore
	} else {
		flags &^= StatsMore
	}
	b[10], b[11] = byte(flags>>8), byte(flags)
}

func statsEntryCount(m *StatsReply) int {
	switch m.Kind {
	case StatsFlow:
		return len(m.Flows)
	case StatsTable:
		return len(m.Tables)
	case StatsPort:
		return len(m.Ports)
	case StatsPortDesc:
		return len(m.PortDescs)
	case StatsQueue:
		return len(m.Queues)
	case StatsTableFeatures:
		return len(m.TableFeatures)
	case StatsTableDesc:
		return len(m.TableDescs)
	case StatsQueueDesc:
		return len(m.QueueDescs)
	case StatsFlowMonitor:
		return len(m.Updates)
	case StatsGroupDesc:
		return len(m.GroupDescs)
	case StatsGroup:
		return len(m.Groups)
	case StatsMeterConfig:
		return len(m.MeterConfigs)
	case StatsMeter:
		return len(m.Meters)
	}
	return 0
}

// setStatsEntries makes dst's entry list src's entries [i, j).
func setStatsEntries(dst, src *StatsReply, i, j int) {
	switch src.Kind {
	case StatsFlow:
		dst.Flows = src.Flows[i:j]
	case StatsTable:
		dst.Tables = src.Tables[i:j]
	case StatsPort:
		dst.Ports = src.Ports[i:j]
	case StatsPortDesc:
		dst.PortDescs = src.PortDescs[i:j]
	case StatsQueue:
		dst.Queues = src.Queues[i:j]
	case StatsTableFeatures:
		dst.TableFeatures = src.TableFeatures[i:j]
	case StatsTableDesc:
		dst.TableDescs = src.TableDescs[i:j]
	case StatsQueueDesc:
		dst.QueueDescs = src.QueueDescs[i:j]
	case StatsFlowMonitor:
		dst.Updates = src.Updates[i:j]
	case StatsGroupDesc:
		dst.GroupDescs = src.GroupDescs[i:j]
	case StatsGroup:
		dst.Groups = src.Groups[i:j]
	case StatsMeterConfig:
		dst.MeterConfigs = src.MeterConfigs[i:j]
	case StatsMeter:
		dst.Meters = src.Meters[i:j]
	}
}

// ErrorReplyFor builds the ERROR a switch sends when handling request failed
// with err (typically from Decode, whose errors always wrap an Error); an
// err without an OpenFlow error is reported as NXBRC_UNENCODABLE_ERROR.
func ErrorReplyFor(err error, request []byte) *ErrorMsg {
	e, ok := AsError(err)
	if !ok {
		e = ErrNXBRCUnencodableError
	}
	return NewErrorReply(e, request)
}
