package dev.tern.e2e.support;

import static dev.tern.e2e.support.Mesh.log;

import dev.tern.testsupport.netns.Shell;
import dev.tern.testsupport.process.ChildProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real DNS server for a test: dnsmasq in a network namespace, listening on one address (port 53), answering the
 * names it is given (each with its subdomains) and nothing else (no upstream, no /etc/hosts), and logging every
 * question it gets with the address it came from, so a test can tell which server a resolver asked.
 */
public final class Dnsmasq {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    private final ChildProcess process;
    private final String address;

    private Dnsmasq(ChildProcess process, String address) {
        this.process = process;
        this.address = address;
    }

    /** Starts it (its log: {@code target/e2e-logs/<name>.log}) and waits until it serves. */
    public static Dnsmasq start(String name, String namespace, String address, Map<String, String> answers) {
        List<String> command = new ArrayList<>(List.of("dnsmasq", "--no-daemon", "--user=root", "--pid-file=",
                "--no-resolv", "--no-hosts", "--bind-interfaces", "--listen-address=" + address, "--port=53",
                "--log-queries", "--log-facility=-"));
        answers.forEach((domain, ip) -> command.add("--address=/" + domain + "/" + ip));
        ChildProcess process = ChildProcess.start(name, Shell.inNamespace(namespace, command.toArray(String[]::new)),
                Map.of(), log(name));
        process.awaitOutput("started, version", START_TIMEOUT);
        return new Dnsmasq(process, address);
    }

    public String address() {
        return address;
    }

    /** The questions it logged so far (and its other output), one line each. */
    public String queryLog() {
        return process.stdout();
    }

    /** How many A questions for {@code name} it logged from {@code source} so far. */
    public long questionsFor(String name, String source) {
        String question = "query[A] " + name + " from " + source;
        return queryLog().lines().filter(line -> line.strip().endsWith(question)).count();
    }

    /** The process, for the test's teardown list. */
    public ChildProcess process() {
        return process;
    }
}
