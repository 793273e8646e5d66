// Command pion-ice-peer runs one pion ICE agent the way NetBird's client configures it for a peer (UDP4, host
// candidates, NetBird's controlling rule decided by the caller) and talks to its caller in lines:
//
//	out: CRED <ufrag> <pwd> · CAND <candidate line> · SELECTED <local addr:port> <remote addr:port> <remote type>
//	in:  CRED <ufrag> <pwd> · CAND <candidate line>
//
// Once connected it echoes every datagram it receives on the ICE connection back to the sender.
package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/logging"
)

var outMu sync.Mutex

func say(format string, args ...any) {
	outMu.Lock()
	defer outMu.Unlock()
	fmt.Printf(format+"\n", args...)
}

func main() {
	if len(os.Args) != 2 || (os.Args[1] != "controlling" && os.Args[1] != "controlled") {
		fmt.Fprintln(os.Stderr, "usage: pion-ice-peer controlling|controlled")
		os.Exit(2)
	}
	controlling := os.Args[1] == "controlling"
	failed := 5 * time.Second
	keepalive := 2 * time.Second
	agent, err := ice.NewAgent(&ice.AgentConfig{
		NetworkTypes:      []ice.NetworkType{ice.NetworkTypeUDP4},
		CandidateTypes:    []ice.CandidateType{ice.CandidateTypeHost},
		FailedTimeout:     &failed,
		KeepaliveInterval: &keepalive,
		IncludeLoopback:   false,
		InterfaceFilter:   func(name string) bool { return name != "lo" },
		LoggerFactory:     logFactory(),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "NewAgent:", err)
		os.Exit(1)
	}
	if err := agent.OnCandidate(func(c ice.Candidate) {
		if c != nil {
			say("CAND %s", c.Marshal())
		}
	}); err != nil {
		fmt.Fprintln(os.Stderr, "OnCandidate:", err)
		os.Exit(1)
	}
	ufrag, pwd, _ := agent.GetLocalUserCredentials()
	say("CRED %s %s", ufrag, pwd)
	if err := agent.GatherCandidates(); err != nil {
		fmt.Fprintln(os.Stderr, "GatherCandidates:", err)
		os.Exit(1)
	}

	remote := make(chan [2]string, 1)
	go func() {
		scanner := bufio.NewScanner(os.Stdin)
		for scanner.Scan() {
			line := scanner.Text()
			switch {
			case strings.HasPrefix(line, "CRED "):
				f := strings.Fields(line)
				remote <- [2]string{f[1], f[2]}
			case strings.HasPrefix(line, "CAND "):
				c, err := ice.UnmarshalCandidate(strings.TrimPrefix(line, "CAND "))
				if err != nil {
					fmt.Fprintln(os.Stderr, "UnmarshalCandidate:", err)
					continue
				}
				if err := agent.AddRemoteCandidate(c); err != nil {
					fmt.Fprintln(os.Stderr, "AddRemoteCandidate:", err)
				}
			}
		}
		os.Exit(0) // the caller closed our stdin: done
	}()

	creds := <-remote
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var conn *ice.Conn
	if controlling {
		conn, err = agent.Dial(ctx, creds[0], creds[1])
	} else {
		conn, err = agent.Accept(ctx, creds[0], creds[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ICE:", err)
		os.Exit(1)
	}
	pair, err := agent.GetSelectedCandidatePair()
	if err != nil || pair == nil {
		fmt.Fprintln(os.Stderr, "no selected pair:", err)
		os.Exit(1)
	}
	say("SELECTED %s %s %s", net.JoinHostPort(pair.Local.Address(), fmt.Sprint(pair.Local.Port())),
		net.JoinHostPort(pair.Remote.Address(), fmt.Sprint(pair.Remote.Port())), pair.Remote.Type())
	buf := make([]byte, 65535)
	for {
		n, err := conn.Read(buf)
		if err != nil {
			fmt.Fprintln(os.Stderr, "read:", err)
			os.Exit(1)
		}
		if _, err := conn.Write(buf[:n]); err != nil {
			fmt.Fprintln(os.Stderr, "write:", err)
		}
	}
}

// logFactory writes pion's own log (connectivity checks, state changes) to stderr at debug level when
// PION_LOG=debug is set, so a failing interop test can show what pion saw.
func logFactory() logging.LoggerFactory {
	f := logging.NewDefaultLoggerFactory()
	if os.Getenv("PION_LOG") == "debug" {
		f.DefaultLogLevel = logging.LogLevelTrace
	}
	return f
}
