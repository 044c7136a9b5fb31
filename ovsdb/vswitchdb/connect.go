package vswitchdb

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/go-logr/logr"
	"github.com/ovn-kubernetes/libovsdb/client"
)

// Reconnection backoff, like OVS's reconnect module: retry after one
// second, doubling up to eight seconds, forever.
const (
	minBackoff = 1 * time.Second
	maxBackoff = 8 * time.Second
	// attemptTimeout bounds one connection attempt (connect, get schema,
	// monitor) so that a server that accepts but never answers is retried.
	attemptTimeout = 10 * time.Second
)

func newBackoff() backoff.BackOff {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = minBackoff
	b.MaxInterval = maxBackoff
	b.Multiplier = 2
	b.RandomizationFactor = 0
	b.MaxElapsedTime = 0 // never give up
	b.Reset()
	return b
}

// Connect connects to the Open_vSwitch database at endpoint ("unix:PATH",
// "tcp:HOST:PORT"), monitors every table and column, and returns the
// client once its cache holds the database's current contents.
//
// Connect keeps retrying with backoff until the server answers or ctx is
// done, logging "connecting..." and "connected" at INFO as OVS does. ctx
// bounds only this initial connection: once connected, the client
// reconnects and re-monitors by itself after the connection drops, until
// the caller calls Close. log may be nil.
func Connect(ctx context.Context, endpoint string, log *slog.Logger) (client.Client, error) {
	if log == nil {
		log = slog.New(discardHandler{})
	}
	if !strings.HasPrefix(endpoint, "unix:") && !strings.HasPrefix(endpoint, "tcp:") {
		return nil, fmt.Errorf("vswitchdb: %s: unsupported database endpoint (want unix:PATH or tcp:HOST:PORT)", endpoint)
	}
	dbModel, err := FullDatabaseModel()
	if err != nil {
		return nil, fmt.Errorf("vswitchdb: database model: %w", err)
	}
	lr := logr.New(&logSink{log: log})
	c, err := client.NewOVSDBClient(dbModel,
		client.WithEndpoint(endpoint),
		client.WithReconnect(attemptTimeout, newBackoff()),
		client.WithLogger(&lr))
	if err != nil {
		return nil, fmt.Errorf("vswitchdb: %s: %w", endpoint, err)
	}
	bo := newBackoff()
	log.Info(endpoint + ": connecting...")
	for {
		err = attempt(ctx, c)
		if err == nil {
			break
		}
		wait := bo.NextBackOff()
		log.Info(fmt.Sprintf("%s: connection attempt failed (%v)", endpoint, err))
		select {
		case <-ctx.Done():
			c.Close()
			return nil, fmt.Errorf("vswitchdb: connect %s: %w (last error: %v)", endpoint, ctx.Err(), err)
		case <-time.After(wait):
		}
		log.Info(endpoint + ": connecting...")
	}
	log.Info(endpoint + ": connected")
	return c, nil
}

func attempt(ctx context.Context, c client.Client) error {
	actx, cancel := context.WithTimeout(ctx, attemptTimeout)
	defer cancel()
	if err := c.Connect(actx); err != nil {
		return err
	}
	if _, err := c.MonitorAll(actx); err != nil {
		c.Disconnect()
		return fmt.Errorf("monitor: %w", err)
	}
	return nil
}

// logSink adapts libovsdb's logr logging to slog. libovsdb's chatter goes
// to debug level; its errors (failed reconnects and the like) go to info
// level, because OVS logs connection trouble at INFO and a database
// restart is normal operation.
type logSink struct {
	log  *slog.Logger
	name string
	kv   []any
}

func (s *logSink) Init(logr.RuntimeInfo) {}
func (s *logSink) Enabled(int) bool {
	return s.log.Enabled(context.Background(), slog.LevelDebug)
}
func (s *logSink) Info(_ int, msg string, kv ...any) {
	s.log.Debug(s.name+msg, append(append([]any(nil), s.kv...), kv...)...)
}
func (s *logSink) Error(err error, msg string, kv ...any) {
	s.log.Info(s.name+msg, append(append([]any{"error", err}, s.kv...), kv...)...)
}
func (s *logSink) WithValues(kv ...any) logr.LogSink {
	return &logSink{log: s.log, name: s.name, kv: append(append([]any(nil), s.kv...), kv...)}
}
func (s *logSink) WithName(name string) logr.LogSink {
	return &logSink{log: s.log, name: s.name + name + ": ", kv: s.kv}
}

type discardHandler struct{}

func (discardHandler) Enabled(context.Context, slog.Level) bool  { return false }
func (discardHandler) Handle(context.Context, slog.Record) error { return nil }
func (d discardHandler) WithAttrs([]slog.Attr) slog.Handler      { return d }
func (d discardHandler) WithGroup(string) slog.Handler           { return d }
