package dev.tern.bench.relay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a server process holds per idle session: a sample before the sessions open and one after, each taken right
 * after a full GC ({@code jcmd <pid> GC.run}) for a JVM. A JVM server must run with a fixed, pre-touched heap
 * ({@link #FIXED_HEAP_FLAGS}): its resident set then cannot grow or shrink with the heap, so the growth of the resident
 * set is memory outside the heap (direct buffers, native allocations) and the growth of the heap used after GC is what
 * the sessions hold on the heap; the two add up to the cost of a session. A process that is not a JVM (coturn) is
 * read by its resident set alone.
 *
 * <p>A reading is refused rather than printed when it cannot be a cost: a fall of the resident set beyond page-level
 * noise, or of the heap, while sessions opened means something else changed in the process (e.g. the heap was not
 * fixed, or a GC was not run), and the reason is printed instead of a number.
 */
record IdleMemory(int sessions, double heapKiB, double residentKiB, String invalidReason) {
    /** Heap size of a JVM server under test: fixed and touched at start so the resident set does not follow the heap. */
    static final List<String> FIXED_HEAP_FLAGS = List.of("-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch");
    /** A resident set that falls by less than this (pages the kernel reclaimed, a thread stack given back) is noise. */
    private static final long RESIDENT_NOISE_KIB = 4 * 1024;
    /** Two samples this close (heap and resident set each) mean the process is no longer letting go of memory. */
    private static final long SETTLED_KIB = 512;
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

    /** One reading of a process: heap used after a full GC (-1 when not a JVM) and resident set, in KiB. */
    record Sample(long heapUsedKiB, long residentKiB) {
    }

    static IdleMemory of(int sessions, Sample before, Sample after) {
        long residentGrowth = after.residentKiB() - before.residentKiB();
        boolean jvm = before.heapUsedKiB() >= 0;
        long heapGrowth = jvm ? after.heapUsedKiB() - before.heapUsedKiB() : 0;
        String invalid = null;
        if (sessions <= 0) {
            invalid = "no sessions were opened";
        } else if (residentGrowth < -RESIDENT_NOISE_KIB) {
            invalid = String.format(Locale.ROOT, "the resident set fell by %,d KiB while %,d sessions opened%s",
                    -residentGrowth, sessions, jvm ? " (was the heap fixed with " + String.join(" ", FIXED_HEAP_FLAGS)
                            + "?)" : "");
        } else if (heapGrowth < 0) {
            invalid = String.format(Locale.ROOT, "the heap used after GC fell by %,d KiB while %,d sessions opened",
                    -heapGrowth, sessions);
        }
        // Within the noise band a small fall counts as no growth outside the heap.
        double perSessionResident = Math.max(0, residentGrowth) / (double) Math.max(1, sessions);
        return new IdleMemory(sessions, jvm ? heapGrowth / (double) Math.max(1, sessions) : Double.NaN,
                perSessionResident, invalid);
    }

    boolean valid() {
        return invalidReason == null;
    }

    /** KiB per session: heap plus what grew outside it, or the resident set alone for a native server. */
    double perSessionKiB() {
        if (!valid()) {
            return Double.NaN;
        }
        return Double.isNaN(heapKiB) ? residentKiB : heapKiB + residentKiB;
    }

    String describe() {
        if (!valid()) {
            return "not measured: " + invalidReason;
        }
        return Double.isNaN(heapKiB)
                ? String.format(Locale.ROOT, "%.2f KiB of resident set per session at %,d", residentKiB, sessions)
                : String.format(Locale.ROOT, "%.2f KiB per session at %,d: %.2f KiB of heap (after GC) + %.2f KiB "
                        + "outside the heap (resident set)", perSessionKiB(), sessions, heapKiB, residentKiB);
    }

    /** Reads a process now; for a JVM ({@code jvm}) after a full GC, so the heap holds only what is reachable. */
    static Sample sample(long pid, boolean jvm) throws IOException, InterruptedException {
        long heap = -1;
        if (jvm) {
            jcmd(pid, "GC.run");
            // Hand freed C heap (the JIT's arenas, finished threads' buffers) back to the OS before reading the
            // resident set, in every sample: otherwise glibc returns it whenever it likes, and a burst of JIT work
            // ending while the sessions open makes the resident set fall by megabytes (no reading).
            jcmd(pid, "System.trim_native_heap");
            heap = heapUsedKiB(jcmd(pid, "GC.heap_info"));
        }
        return new Sample(heap, residentKiB(pid));
    }

    /**
     * A sample once the process has settled: two in a row, a second apart, within {@link #SETTLED_KIB} (at most ten
     * tries; the last is taken as it is).
     */
    static Sample settled(long pid, boolean jvm) throws IOException, InterruptedException {
        Sample last = sample(pid, jvm);
        for (int i = 0; i < 10; i++) {
            Thread.sleep(1000);
            Sample next = sample(pid, jvm);
            boolean steady = Math.abs(next.heapUsedKiB() - last.heapUsedKiB()) <= SETTLED_KIB
                    && Math.abs(next.residentKiB() - last.residentKiB()) <= SETTLED_KIB;
            last = next;
            if (steady) {
                break;
            }
        }
        return last;
    }

    /** The heap's "used" figure from {@code GC.heap_info} (its first line names the whole heap). */
    static long heapUsedKiB(String heapInfo) {
        Matcher used = HEAP_USED.matcher(heapInfo);
        if (!used.find()) {
            throw new IllegalStateException("no heap figure in jcmd GC.heap_info:\n" + heapInfo);
        }
        return Long.parseLong(used.group(1));
    }

    static long residentKiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS for process " + pid);
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        List<String> line = new ArrayList<>(List.of("jcmd", String.valueOf(pid), command));
        Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new IOException("jcmd " + pid + " " + command + " failed:\n" + out);
        }
        return out;
    }
}
