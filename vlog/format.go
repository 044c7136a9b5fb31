package vlog

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

type record struct {
	module string
	level  Level
	msg    string
	seq    uint32
	now    time.Time
}

// format expands an OVS log pattern for one message. The escapes are OVS's:
// %A program, %B syslog priority, %c module, %d{FMT} local time, %D{FMT} UTC
// time ('#' in FMT are subsecond digits), %E host name, %m message, %N
// sequence number, %n newline, %p level, %P pid, %r milliseconds since
// start, %t thread name, %T "(thread)" or nothing, each with an optional
// '-' (left-justify), '0' (zero pad) and field width.
func format(pattern string, r *record) string {
	var b strings.Builder
	for i := 0; i < len(pattern); {
		c := pattern[i]
		if c != '%' {
			b.WriteByte(c)
			i++
			continue
		}
		i++
		left, pad := false, byte(' ')
		if i < len(pattern) && pattern[i] == '-' {
			left = true
			i++
		}
		if i < len(pattern) && pattern[i] == '0' {
			pad = '0'
			i++
		}
		width := 0
		for i < len(pattern) && pattern[i] >= '0' && pattern[i] <= '9' {
			if width < 1000 {
				width = width*10 + int(pattern[i]-'0')
			}
			i++
		}
		if i >= len(pattern) {
			break
		}
		esc := pattern[i]
		i++
		braces := func(def string) string {
			if i < len(pattern) && pattern[i] == '{' {
				end := strings.IndexByte(pattern[i+1:], '}')
				if end < 0 {
					s := pattern[i+1:]
					i = len(pattern)
					return s
				}
				s := pattern[i+1 : i+1+end]
				i += end + 2
				return s
			}
			return def
		}
		var field string
		switch esc {
		case 'A':
			field = state.program
		case 'B':
			field = strconv.Itoa(state.facility | syslogSeverity[r.level])
		case 'c':
			braces("")
			field = r.module
		case 'd':
			field = strftime(braces("%Y-%m-%d %H:%M:%S.###"), r.now.Local())
		case 'D':
			field = strftime(braces("%Y-%m-%d %H:%M:%S.###"), r.now.UTC())
		case 'E':
			field, _ = os.Hostname()
		case 'm':
			field = strings.TrimRight(r.msg, "\n")
		case 'N':
			field = strconv.FormatUint(uint64(r.seq), 10)
		case 'n':
			field = "\n"
		case 'p':
			field = r.level.String()
		case 'P':
			field = strconv.Itoa(os.Getpid())
		case 'r':
			field = strconv.FormatInt(time.Since(state.start).Milliseconds(), 10)
		case 't':
			field = "main"
		case 'T':
			field = ""
		default:
			field = string(esc)
		}
		if n := width - len(field); n > 0 {
			p := strings.Repeat(string(pad), n)
			if left {
				field += p
			} else {
				field = p + field
			}
		}
		b.WriteString(field)
	}
	return b.String()
}

// strftime implements the strftime conversions OVS log patterns use, plus
// OVS's extension that runs of '#' become subsecond digits.
func strftime(f string, t time.Time) string {
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c == '#' {
			j := i
			for j < len(f) && f[j] == '#' {
				j++
			}
			digits := fmt.Sprintf("%03d", t.Nanosecond()/1e6)
			for k := 0; k < j-i; k++ {
				if k < len(digits) {
					b.WriteByte(digits[k])
				} else {
					b.WriteByte('0')
				}
			}
			i = j - 1
			continue
		}
		if c != '%' || i+1 >= len(f) {
			b.WriteByte(c)
			continue
		}
		i++
		switch f[i] {
		case 'Y':
			fmt.Fprintf(&b, "%04d", t.Year())
		case 'y':
			fmt.Fprintf(&b, "%02d", t.Year()%100)
		case 'm':
			fmt.Fprintf(&b, "%02d", int(t.Month()))
		case 'd':
			fmt.Fprintf(&b, "%02d", t.Day())
		case 'e':
			fmt.Fprintf(&b, "%2d", t.Day())
		case 'H':
			fmt.Fprintf(&b, "%02d", t.Hour())
		case 'M':
			fmt.Fprintf(&b, "%02d", t.Minute())
		case 'S':
			fmt.Fprintf(&b, "%02d", t.Second())
		case 'j':
			fmt.Fprintf(&b, "%03d", t.YearDay())
		case 'T':
			b.WriteString(t.Format("15:04:05"))
		case 'F':
			b.WriteString(t.Format("2006-01-02"))
		case 'h', 'b':
			b.WriteString(t.Format("Jan"))
		case 'B':
			b.WriteString(t.Format("January"))
		case 'a':
			b.WriteString(t.Format("Mon"))
		case 'A':
			b.WriteString(t.Format("Monday"))
		case 'z':
			b.WriteString(t.Format("-0700"))
		case 'Z':
			b.WriteString(t.Format("MST"))
		case 's':
			fmt.Fprintf(&b, "%d", t.Unix())
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(f[i])
		}
	}
	return b.String()
}
