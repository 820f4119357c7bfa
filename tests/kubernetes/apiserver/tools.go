//go:build tools

// Package apiserver pins the kube-apiserver command as a dependency of this
// module, so that go.sum holds every module it is built from.
package apiserver

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
