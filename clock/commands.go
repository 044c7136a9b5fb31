package clock

import (
	"errors"
	"time"

	"govs.dev/govs/unixctl"
)

// atoll parses like C's atoll: optional leading spaces and sign, then as
// many digits as there are; anything else yields 0 or stops the number.
func atoll(s string) int64 {
	i := 0
	for i < len(s) && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	var n int64
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if n > (1<<62)/10 {
			break
		}
		n = n*10 + int64(s[i]-'0')
	}
	if neg {
		return -n
	}
	return n
}

// RegisterCommands registers OVS's time/stop and time/warp on s for clock
// c. (OVS registers them only with --enable-dummy.) time/warp replies
// "warped" once the warp's timers and hooks have run.
func RegisterCommands(s *unixctl.Server, c *Clock) {
	s.Register("time/stop", "", 0, 0, func([]string) (string, error) {
		c.Stop()
		return "", nil
	})
	s.Register("time/warp", "[large_msecs] msecs", 1, 2, func(args []string) (string, error) {
		var total, msecs int64
		if len(args) == 2 {
			total, msecs = atoll(args[0]), atoll(args[1])
		} else {
			msecs = atoll(args[0])
		}
		if msecs <= 0 || total < 0 {
			return "", errors.New("invalid MSECS")
		}
		if err := c.WarpSteps(time.Duration(total)*time.Millisecond, time.Duration(msecs)*time.Millisecond); err != nil {
			return "", err
		}
		return "warped", nil
	})
}
