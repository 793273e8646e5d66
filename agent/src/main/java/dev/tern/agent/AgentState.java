package dev.tern.agent;

/**
 * What the agent remembers between runs: where it registered, what it got, and which interface it runs, so that
 * {@code tern down} can clean up even after a crash. The private key lives in its own 0600 file, never here.
 */
record AgentState(String managementUrl, String publicKey, String meshAddress, String fqdn, String interfaceName,
                  int wgPort) {
}
