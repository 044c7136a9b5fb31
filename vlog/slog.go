package vlog

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
)

// Slog returns a *slog.Logger whose records go to this module. slog levels
// map to DBG (below Info), INFO, WARN and ERR (Error and above); attributes
// are appended to the message as key=value.
func (l *Logger) Slog() *slog.Logger { return slog.New(&slogHandler{m: l}) }

type slogHandler struct {
	m      *Logger
	attrs  string
	groups string
}

func toLevel(l slog.Level) Level {
	switch {
	case l < slog.LevelInfo:
		return LevelDbg
	case l < slog.LevelWarn:
		return LevelInfo
	case l < slog.LevelError:
		return LevelWarn
	default:
		return LevelErr
	}
}

func (h *slogHandler) Enabled(_ context.Context, l slog.Level) bool {
	return h.m.Enabled(toLevel(l))
}

func (h *slogHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	b.WriteString(h.attrs)
	r.Attrs(func(a slog.Attr) bool {
		appendAttr(&b, h.groups, a)
		return true
	})
	h.m.Log(toLevel(r.Level), "%s", b.String())
	return nil
}

func appendAttr(b *strings.Builder, prefix string, a slog.Attr) {
	v := a.Value.Resolve()
	if v.Kind() == slog.KindGroup {
		for _, ga := range v.Group() {
			appendAttr(b, prefix+a.Key+".", ga)
		}
		return
	}
	fmt.Fprintf(b, " %s%s=%v", prefix, a.Key, v.Any())
}

func (h *slogHandler) WithAttrs(as []slog.Attr) slog.Handler {
	var b strings.Builder
	b.WriteString(h.attrs)
	for _, a := range as {
		appendAttr(&b, h.groups, a)
	}
	return &slogHandler{m: h.m, attrs: b.String(), groups: h.groups}
}

func (h *slogHandler) WithGroup(name string) slog.Handler {
	return &slogHandler{m: h.m, attrs: h.attrs, groups: h.groups + name + "."}
}
