//go:build tools

// Package etcd pins the etcd server command (the root package of
// go.etcd.io/etcd/server/v3) as a dependency of this module, so that go.sum
// holds every module it is built from.
package etcd

import _ "go.etcd.io/etcd/server/v3"
