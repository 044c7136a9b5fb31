// Package vswitchdb holds the Go models of the Open_vSwitch database schema
// of Open vSwitch 3.1 (vswitch.ovsschema, schema version 8.3.1, copied from
// Debian's openvswitch-common 3.1.0), generated with libovsdb's modelgen,
// and Connect, which opens a monitoring, reconnecting libovsdb client on a
// database endpoint.
//
// The package owns only the models and the connection setup; what the
// daemon does with the data belongs to package bridge. It must not import
// any other govs package.
package vswitchdb

//go:generate go run github.com/ovn-kubernetes/libovsdb/cmd/modelgen -p vswitchdb -o . vswitch.ovsschema
