// A pion ICE peer for the agent's ICE interop test (IcePionInteropTest): the ICE library NetBird's client runs,
// at the fork and commit NetBird v0.77.1 pins (its go.mod's replace line) with the pion/stun and pion/transport
// releases NetBird v0.77.1 builds with, driven over stdin/stdout.
module dev.tern/agent/pion-ice-peer

go 1.23.0

require (
	github.com/pion/ice/v4 v4.0.0-00010101000000-000000000000
	github.com/pion/logging v0.2.4
)

require (
	github.com/google/uuid v1.6.0 // indirect
	github.com/pion/dtls/v3 v3.0.9 // indirect
	github.com/pion/mdns/v2 v2.0.7 // indirect
	github.com/pion/randutil v0.1.0 // indirect
	github.com/pion/stun/v3 v3.1.0 // indirect
	github.com/pion/transport/v3 v3.1.1 // indirect
	github.com/pion/turn/v4 v4.1.1 // indirect
	github.com/wlynxg/anet v0.0.5 // indirect
	golang.org/x/crypto v0.32.0 // indirect
	golang.org/x/net v0.34.0 // indirect
	golang.org/x/sys v0.30.0 // indirect
)

replace github.com/pion/ice/v4 => github.com/netbirdio/ice/v4 v4.0.0-20250908184934-6202be846b51
