package vlog

import (
	"sync"
	"time"
)

// msgTokens is the cost of one message: a bucket gains 'rate' tokens per
// millisecond, so one message per minute needs 60,000 tokens (OVS's scheme).
const msgTokens = 60 * 1000

// RateLimit limits how often a call site may log, so that a flood of
// packets cannot flood the log. Declare one per call site
// (var rl = vlog.NewRateLimit(5, 20)) and pass it to the *RL methods. When
// messages have been dropped, the next message that passes is preceded by
// OVS's "Dropped N log messages in last S seconds ..." line. Safe for
// concurrent use.
type RateLimit struct {
	mu           sync.Mutex
	rate         uint64 // tokens per millisecond
	burst        uint64 // bucket size in tokens
	tokens       uint64
	lastFill     time.Time
	started      bool
	nDropped     uint
	firstDropped time.Time
	lastDropped  time.Time
}

// NewRateLimit returns a limit of perMinute messages per minute with bursts
// of up to burst messages.
func NewRateLimit(perMinute, burst int) *RateLimit {
	if perMinute < 1 {
		perMinute = 1
	}
	if burst < 1 {
		burst = 1
	}
	return &RateLimit{rate: uint64(perMinute), burst: uint64(burst) * msgTokens}
}

// take withdraws one message's tokens. It returns false if the message must
// be dropped and, when it returns true after drops, a summary to log first.
func (rl *RateLimit) take(now time.Time) (ok bool, dropped uint, first, last time.Duration) {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	if rl.tokens < msgTokens {
		if !rl.started {
			rl.tokens, rl.started = rl.burst, true
		} else if el := now.Sub(rl.lastFill).Milliseconds(); el > 0 {
			add := rl.rate * uint64(el)
			if add/rl.rate != uint64(el) || rl.tokens+add > rl.burst {
				rl.tokens = rl.burst
			} else {
				rl.tokens += add
			}
		}
		rl.lastFill = now
	}
	if rl.tokens < msgTokens {
		if rl.nDropped == 0 {
			rl.firstDropped = now
		}
		rl.lastDropped = now
		rl.nDropped++
		return false, 0, 0, 0
	}
	rl.tokens -= msgTokens
	if rl.nDropped == 0 {
		return true, 0, 0, 0
	}
	dropped = rl.nDropped
	rl.nDropped = 0
	return true, dropped, now.Sub(rl.firstDropped), now.Sub(rl.lastDropped)
}

// ShouldDrop reports whether a message at level through rl must be
// dropped, logging the drop summary when messages resume.
func (l *Logger) ShouldDrop(rl *RateLimit, level Level) bool {
	if l.noHonorRL.Load() {
		return false
	}
	if !l.Enabled(level) {
		return true
	}
	ok, n, first, last := rl.take(time.Now())
	if !ok {
		return true
	}
	if n > 0 {
		l.Log(level, "Dropped %d log messages in last %d seconds (most recently, %d seconds ago) due to excessive rate",
			n, int(first.Seconds()), int(last.Seconds()))
	}
	return false
}

// LogRL logs at level unless rl says to drop the message.
func (l *Logger) LogRL(rl *RateLimit, level Level, format string, args ...any) {
	if !l.ShouldDrop(rl, level) {
		l.Log(level, format, args...)
	}
}

// ErrRL logs at ERR level, rate-limited by rl.
func (l *Logger) ErrRL(rl *RateLimit, format string, args ...any) {
	l.LogRL(rl, LevelErr, format, args...)
}

// WarnRL logs at WARN level, rate-limited by rl.
func (l *Logger) WarnRL(rl *RateLimit, format string, args ...any) {
	l.LogRL(rl, LevelWarn, format, args...)
}

// InfoRL logs at INFO level, rate-limited by rl.
func (l *Logger) InfoRL(rl *RateLimit, format string, args ...any) {
	l.LogRL(rl, LevelInfo, format, args...)
}

// DbgRL logs at DBG level, rate-limited by rl.
func (l *Logger) DbgRL(rl *RateLimit, format string, args ...any) {
	l.LogRL(rl, LevelDbg, format, args...)
}
