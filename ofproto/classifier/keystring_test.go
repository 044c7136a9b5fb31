package classifier

import (
	"fmt"
	"reflect"
	"strings"

	"govs.dev/govs/flow"
)

// keyString prints the nonzero fields of k, for test failure messages.
func keyString(k *flow.Key) string {
	var b strings.Builder
	v := reflect.ValueOf(*k)
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		if v.Type().Field(i).Name == "_" || f.IsZero() {
			continue
		}
		fmt.Fprintf(&b, "%s=%x ", v.Type().Field(i).Name, f.Interface())
	}
	return b.String()
}
