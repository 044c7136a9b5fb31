package unixctl

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
)

// Handler runs one command. args holds the command's arguments (not the
// command name). The returned text becomes the reply; a non-nil error is
// sent as an error reply whose text is err.Error(), which ovs-appctl prints on
// stderr before exiting with status 2.
//
// A Handler may block (for example until the effects of the command have
// run); while it does, further requests on the same connection wait, as in
// OVS. Handlers of different connections run concurrently, so a Handler must
// do its own locking.
type Handler func(args []string) (string, error)

// Unlimited may be passed as maxArgs to Register for commands that take any
// number of arguments.
const Unlimited = int(^uint(0) >> 1)

// maxRequestBytes bounds one JSON-RPC message so that a misbehaving client
// cannot make the daemon buffer without limit. ovs-appctl requests are tiny.
const maxRequestBytes = 1 << 20

type command struct {
	usage            string
	hidden           bool
	minArgs, maxArgs int
	fn               Handler
}

// Server is a unixctl control socket and its command registry. All methods
// are safe for concurrent use. Commands may be registered before or after
// the server starts accepting connections.
type Server struct {
	path     string
	listener *net.UnixListener
	version  string

	mu       sync.Mutex
	hooks    Hooks
	commands map[string]*command
	conns    map[net.Conn]*connState
	closed   bool

	wg     sync.WaitGroup // the accept loop
	connWG sync.WaitGroup // connection goroutines
}

// Hooks observe the requests a Server receives and the replies it sends,
// for logging and event counters (this package is a leaf and does neither
// itself). Either function may be nil. They run on the connection's
// goroutine and must not block.
type Hooks struct {
	// Received is called for each valid request with its method, its
	// params and id as compact JSON.
	Received func(method, params, id string)
	// Replied is called for each reply with its success, the request's id
	// as JSON and the reply text.
	Replied func(success bool, id, body string)
}

// connState tracks whether a connection is between reading a request and
// writing its reply, so that Close lets that reply go out.
type connState struct{ busy bool }

// closeGrace bounds how long Close waits for replies in progress (such as
// the reply to "exit", sent after the daemon has cleaned up).
const closeGrace = 2 * time.Second

// Listen creates the control socket at path (an existing stale socket file
// at that path is removed first, as OVS does), registers the built-in
// commands and starts serving connections in the background. version is the
// text of the built-in "version" command; if it is empty, "govs" is used.
func Listen(path string) (*Server, error) {
	return ListenVersion(path, "")
}

// ListenVersion is Listen with the reply of the built-in "version" command
// given explicitly (for ovs-vswitchd: "ovs-vswitchd (Open vSwitch) 3.1.0").
func ListenVersion(path, version string) (*Server, error) {
	if version == "" {
		version = "govs"
	}
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSocket != 0 {
		_ = os.Remove(path)
	}
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("unixctl: %s: could not initialize control socket: %w", path, err)
	}
	l.SetUnlinkOnClose(true)
	s := &Server{
		path:     path,
		listener: l,
		version:  version,
		commands: make(map[string]*command),
		conns:    make(map[net.Conn]*connState),
	}
	s.Register("list-commands", "", 0, 0, func([]string) (string, error) {
		return s.listCommands(), nil
	})
	s.Register("version", "", 0, 0, func([]string) (string, error) {
		return s.version, nil
	})
	// OVS 3.1 has no "help" command; govs answers it like list-commands but
	// keeps it out of the list so that list-commands matches OVS exactly.
	s.RegisterHidden("help", 0, 0, func([]string) (string, error) {
		return s.listCommands(), nil
	})
	s.wg.Add(1)
	go s.acceptLoop()
	return s, nil
}

// SetHooks installs h, replacing any previous hooks.
func (s *Server) SetHooks(h Hooks) {
	s.mu.Lock()
	s.hooks = h
	s.mu.Unlock()
}

// Path returns the socket path the server listens on.
func (s *Server) Path() string { return s.path }

// Register adds command name with the usage text shown by "list-commands".
// Requests with fewer than minArgs or more than maxArgs arguments are
// refused with OVS's error texts without calling fn. As in OVS, registering
// a name that already exists keeps the first registration.
func (s *Server) Register(name, usage string, minArgs, maxArgs int, fn Handler) {
	s.register(name, &command{usage: usage, minArgs: minArgs, maxArgs: maxArgs, fn: fn})
}

// RegisterHidden adds a command that works like one added by Register but is
// not shown by "list-commands" (OVS's NULL usage).
func (s *Server) RegisterHidden(name string, minArgs, maxArgs int, fn Handler) {
	s.register(name, &command{hidden: true, minArgs: minArgs, maxArgs: maxArgs, fn: fn})
}

func (s *Server) register(name string, c *command) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.commands[name]; ok {
		return
	}
	s.commands[name] = c
}

// Commands returns the names of all registered commands, sorted.
func (s *Server) Commands() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.commands))
	for n := range s.commands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (s *Server) listCommands() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.commands))
	for n, c := range s.commands {
		if !c.hidden {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("The available commands are:\n")
	for _, n := range names {
		fmt.Fprintf(&b, "  %-23s %s\n", n, s.commands[n].usage)
	}
	return b.String()
}

// Close stops accepting connections, removes the socket file and closes
// every idle connection. A connection whose request is being handled gets
// up to two seconds to send its reply (so that "exit" can answer after the
// daemon has cleaned up) before it is closed too. Close is idempotent.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	for c, st := range s.conns {
		if !st.busy {
			_ = c.Close()
		}
	}
	s.mu.Unlock()
	err := s.listener.Close()
	s.wg.Wait()
	done := make(chan struct{})
	go func() { s.connWG.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(closeGrace):
		s.mu.Lock()
		for c := range s.conns {
			_ = c.Close()
		}
		s.mu.Unlock()
	}
	if err != nil {
		return fmt.Errorf("unixctl: close %s: %w", s.path, err)
	}
	return nil
}

func (s *Server) acceptLoop() {
	defer s.wg.Done()
	for {
		c, err := s.listener.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			_ = c.Close()
			return
		}
		st := &connState{}
		s.conns[c] = st
		s.connWG.Add(1)
		s.mu.Unlock()
		go s.serve(c, st)
	}
}

// budgetReader fails once more than n bytes have been read, so that a
// client cannot make the server buffer an endless request. The server
// renews the budget after each complete message.
type budgetReader struct {
	r io.Reader
	n int64
}

var errTooLong = errors.New("unixctl: request too long")

func (b *budgetReader) Read(p []byte) (int, error) {
	if b.n <= 0 {
		return 0, errTooLong
	}
	if int64(len(p)) > b.n {
		p = p[:b.n]
	}
	n, err := b.r.Read(p)
	b.n -= int64(n)
	return n, err
}

// request is a JSON-RPC 1.0 message as OVS's jsonrpc sends it. Params is kept
// raw so that non-string arguments can be reported as OVS does.
type request struct {
	Method *string          `json:"method"`
	Params json.RawMessage  `json:"params"`
	ID     *json.RawMessage `json:"id"`
	Result json.RawMessage  `json:"result"`
	Error  json.RawMessage  `json:"error"`
}

type reply struct {
	ID     json.RawMessage `json:"id"`
	Result *string         `json:"result"`
	Error  *string         `json:"error"`
}

func (s *Server) serve(c net.Conn, st *connState) {
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		_ = c.Close()
		s.connWG.Done()
	}()
	lr := &budgetReader{r: c, n: maxRequestBytes}
	dec := json.NewDecoder(bufio.NewReader(lr))
	w := bufio.NewWriter(c)
	for {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return
		}
		lr.n = maxRequestBytes // a new budget for the next request
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return
		}
		st.busy = true
		s.mu.Unlock()
		resp, ok := s.handle(raw)
		if !ok {
			// OVS drops a connection that sends anything but a request.
			return
		}
		b, err := json.Marshal(resp)
		if err != nil {
			return
		}
		if _, err := w.Write(b); err != nil {
			return
		}
		if err := w.Flush(); err != nil {
			return
		}
		s.mu.Lock()
		st.busy = false
		closed := s.closed
		s.mu.Unlock()
		if closed {
			return
		}
	}
}

// handle processes one message. It reports false when the message is not a
// valid JSON-RPC request, in which case the connection is dropped.
func (s *Server) handle(raw json.RawMessage) (reply, bool) {
	var req request
	if err := json.Unmarshal(raw, &req); err != nil {
		return reply{}, false
	}
	if req.Method == nil || req.ID == nil || string(*req.ID) == "null" ||
		req.Result != nil || req.Error != nil {
		return reply{}, false
	}
	var params []json.RawMessage
	if err := json.Unmarshal(req.Params, &params); err != nil || params == nil {
		return reply{}, false
	}
	s.mu.Lock()
	h := s.hooks
	s.mu.Unlock()
	if h.Received != nil {
		h.Received(*req.Method, compactJSON(req.Params), compactJSON(*req.ID))
	}
	text, err := s.dispatch(*req.Method, params)
	if h.Replied != nil {
		if err != nil {
			h.Replied(false, compactJSON(*req.ID), err.Error())
		} else {
			h.Replied(true, compactJSON(*req.ID), text)
		}
	}
	return makeReply(*req.ID, text, err), true
}

func compactJSON(raw json.RawMessage) string {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return string(raw)
	}
	return b.String()
}

// Call runs command name with args in-process, exactly as a request from
// ovs-appctl would, and returns the reply text (with OVS's trailing newline
// rule applied) or the error reply. It is meant for tests and for internal
// callers that want the registry's argument checking.
func (s *Server) Call(name string, args ...string) (string, error) {
	params := make([]json.RawMessage, len(args))
	for i, a := range args {
		b, _ := json.Marshal(a)
		params[i] = b
	}
	text, err := s.dispatch(name, params)
	if err != nil {
		return "", errors.New(terminate(err.Error()))
	}
	return terminate(text), nil
}

func (s *Server) dispatch(name string, params []json.RawMessage) (string, error) {
	s.mu.Lock()
	c := s.commands[name]
	s.mu.Unlock()
	switch {
	case c == nil:
		return "", fmt.Errorf("\"%s\" is not a valid command (use \"list-commands\" to see a list of valid commands)", name)
	case len(params) < c.minArgs:
		return "", fmt.Errorf("\"%s\" command requires at least %d arguments", name, c.minArgs)
	case len(params) > c.maxArgs:
		return "", fmt.Errorf("\"%s\" command takes at most %d arguments", name, c.maxArgs)
	}
	args := make([]string, len(params))
	for i, p := range params {
		if err := json.Unmarshal(p, &args[i]); err != nil || len(p) == 0 || p[0] != '"' {
			return "", fmt.Errorf("\"%s\" command has non-string argument", name)
		}
	}
	return c.fn(args)
}

// terminate applies OVS's rule that a non-empty reply ends with a newline.
func terminate(s string) string {
	if s != "" && !strings.HasSuffix(s, "\n") {
		return s + "\n"
	}
	return s
}

func makeReply(id json.RawMessage, text string, err error) reply {
	if err != nil {
		e := terminate(err.Error())
		return reply{ID: id, Error: &e}
	}
	t := terminate(text)
	return reply{ID: id, Result: &t}
}
