//go:build tools

// Package tools only pins NetBird's client so that 'go mod tidy' keeps its dependencies in go.sum.
package tools

import _ "github.com/netbirdio/netbird/client"
