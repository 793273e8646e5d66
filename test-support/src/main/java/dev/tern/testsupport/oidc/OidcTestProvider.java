package dev.tern.testsupport.oidc;

import dev.tern.testsupport.process.ChildProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A real OpenID Provider on loopback: node's {@code oidc-provider} (panva, version pinned by this package's
 * {@code package.json} and {@code package-lock.json}), configured by our {@code provider.mjs}. Tests get tokens from it
 * the way a person does: {@link #signIn} follows the authorization code flow with PKCE and fills the provider's own
 * login form, {@link #signInOnDevice} does the same through the device authorization grant. Access tokens are JWTs
 * whose {@code aud} is the client id, as Tern expects of an external provider.
 *
 * <p>{@link #shared} starts each distinct {@link Spec} once per JVM and stops it when the JVM exits. The npm package is
 * installed once into {@code $TERN_TEST_TOOLS} (default {@code ~/.cache/tern-test-tools}); without node >= 20 and npm
 * this fails loudly, never skips.
 */
public final class OidcTestProvider {
    public static final String OIDC_PROVIDER_VERSION = "9.13.3";
    /** Where the authorization code flow sends the browser back; nothing listens there, the code is read off the redirect. */
    public static final String REDIRECT_URI = "http://127.0.0.1:9/callback";
    private static final String RESOURCE = "https://tern.test/api";
    private static final String READY = "oidc-provider ready ";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Map<Spec, OidcTestProvider> SHARED = new ConcurrentHashMap<>();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A person the provider knows: the login and password of its form, the claims it issues. */
    public record User(String login, String password, String name, String email, List<String> groups) {
        public User {
            groups = List.copyOf(groups);
        }
    }

    /**
     * One provider: its users and the client Tern is registered as. A {@code clockOffsetSeconds} below zero makes the
     * provider's clock lag, so that its tokens are already expired when they are issued.
     */
    public record Spec(String name, String clientId, String clientSecret, List<User> users,
                       long accessTokenTtlSeconds, long clockOffsetSeconds) {
        public Spec {
            users = List.copyOf(users);
        }

        public static Spec of(String name, List<User> users) {
            return new Spec(name, "tern-" + name, "secret-of-" + name, users, 300, 0);
        }

        public Spec withClockOffset(long seconds) {
            return new Spec(name, clientId, clientSecret, users, accessTokenTtlSeconds, seconds);
        }
    }

    /** What the token endpoint answered. */
    public record Tokens(String accessToken, String idToken, String refreshToken) {
        @Override
        public String toString() {
            return "Tokens[...]";
        }
    }

    private final Spec spec;
    private final String issuer;
    private final ChildProcess process;
    private final Path config;
    private final int port;
    /** The users as the provider reads them now (it rereads its config file at each look-up). */
    private final List<User> users;

    private OidcTestProvider(Spec spec, int port, ChildProcess process, Path config) {
        this.spec = spec;
        this.issuer = "http://127.0.0.1:" + port;
        this.port = port;
        this.process = process;
        this.config = config;
        this.users = new ArrayList<>(spec.users());
    }

    /** From now on the provider puts {@code groups} in {@code login}'s tokens (a directory change, as it were). */
    public synchronized void setGroups(String login, List<String> groups) {
        for (int i = 0; i < users.size(); i++) {
            User u = users.get(i);
            if (u.login().equals(login)) {
                users.set(i, new User(u.login(), u.password(), u.name(), u.email(), groups));
            }
        }
        try {
            Path next = config.resolveSibling(config.getFileName() + ".next");
            Files.writeString(next, configJson(spec, users, port));
            Files.move(next, config, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The provider for {@code spec}, started on first use in this JVM and stopped when it exits. */
    public static OidcTestProvider shared(Spec spec) {
        return SHARED.computeIfAbsent(spec, OidcTestProvider::start);
    }

    /** A new provider process for {@code spec}; the caller stops it with {@link #stop}. */
    public static OidcTestProvider start(Spec spec) {
        Path home = install();
        int port = freePort();
        Path config = home.resolve("run").resolve(spec.name() + "-" + port + ".json");
        try {
            Files.createDirectories(config.getParent());
            Files.writeString(config, configJson(spec, spec.users(), port));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path log = Path.of("target", "oidc-provider", spec.name() + "-" + port + ".log");
        ChildProcess process = ChildProcess.start("oidc-provider " + spec.name(),
                List.of("node", home.resolve("provider.mjs").toString(), config.toString()), Map.of(), log);
        process.awaitOutput(READY, START_TIMEOUT);
        OidcTestProvider provider = new OidcTestProvider(spec, port, process, config);
        Runtime.getRuntime().addShutdownHook(new Thread(provider::stop, "stop oidc-provider " + spec.name()));
        return provider;
    }

    public void stop() {
        process.close(Duration.ofSeconds(5));
    }

    /** The issuer URL, also the {@code iss} of every token and the base of its discovery document. */
    public String issuer() {
        return issuer;
    }

    public String clientId() {
        return spec.clientId();
    }

    public String clientSecret() {
        return spec.clientSecret();
    }

    public Spec spec() {
        return spec;
    }

    /** The provider's JSON Web Key Set as it serves it (public keys only). */
    public String jwks() {
        return send(HttpClient.newHttpClient(), HttpRequest.newBuilder(URI.create(issuer + "/jwks")).GET().build(), 200)
                .body();
    }

    /**
     * Signs {@code login} in through the authorization code flow with PKCE: opens the authorization URL, fills and
     * posts the login form, takes the code from the redirect (checking state) and redeems it with the verifier.
     */
    public Tokens signIn(String login, String password) {
        HttpClient browser = browser();
        String verifier = randomToken();
        String state = randomToken();
        URI authorize = URI.create(issuer + "/auth?" + form(Map.of(
                "client_id", spec.clientId(), "response_type", "code", "redirect_uri", REDIRECT_URI,
                "scope", "openid email profile groups", "state", state, "nonce", randomToken(),
                "code_challenge", challenge(verifier), "code_challenge_method", "S256", "resource", RESOURCE)));
        HttpResponse<String> page = follow(browser, get(authorize), REDIRECT_URI);
        page = submitLogin(browser, page, login, password, REDIRECT_URI);
        Map<String, String> callback = query(page.uri());
        if (!state.equals(callback.get("state"))) {
            throw new AssertionError("the provider answered another state: " + page.uri());
        }
        String code = callback.get("code");
        if (code == null) {
            throw new AssertionError("no code in the redirect: " + page.uri());
        }
        return tokens(Map.of("grant_type", "authorization_code", "code", code, "redirect_uri", REDIRECT_URI,
                "code_verifier", verifier, "resource", RESOURCE));
    }

    /**
     * Signs {@code login} in through the device authorization grant: asks for a device code as a command-line client
     * does, then, as the person at a browser, opens the verification URL, confirms the code, fills the login form,
     * and finally polls the token endpoint as the client.
     */
    public Tokens signInOnDevice(String login, String password) {
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<String> authorization = send(client, post(URI.create(issuer + "/device/auth"),
                Map.of("scope", "openid email profile groups", "resource", RESOURCE), true), 200);
        String deviceCode = jsonString(authorization.body(), "device_code");
        URI verification = URI.create(jsonString(authorization.body(), "verification_uri_complete"));
        HttpClient browser = browser();
        HttpResponse<String> page = follow(browser, get(verification), null);
        // The complete verification URL answers a page that posts the code by script, as a browser would at once.
        page = submitForm(browser, page, page.body().contains("op.deviceInputForm") ? "op.deviceInputForm" : null,
                Map.of(), null);
        page = submitForm(browser, page, "op.deviceConfirmForm", Map.of(), null);
        page = submitLogin(browser, page, login, password, null);
        if (!page.body().contains("Sign-in Success")) {
            throw new AssertionError("the device sign-in did not succeed: " + page.body());
        }
        return tokens(Map.of("grant_type", "urn:ietf:params:oauth:grant-type:device_code", "device_code", deviceCode));
    }

    /** What the login form answers to a wrong password: the form again, with the provider's complaint. */
    public String failedSignInPage(String login, String wrongPassword) {
        HttpClient browser = browser();
        URI authorize = URI.create(issuer + "/auth?" + form(Map.of(
                "client_id", spec.clientId(), "response_type", "code", "redirect_uri", REDIRECT_URI,
                "scope", "openid", "state", randomToken(), "code_challenge", challenge(randomToken()),
                "code_challenge_method", "S256", "resource", RESOURCE)));
        HttpResponse<String> page = follow(browser, get(authorize), REDIRECT_URI);
        return submitForm(browser, page, "login", Map.of("login", login, "password", wrongPassword), REDIRECT_URI)
                .body();
    }

    private HttpResponse<String> submitLogin(HttpClient browser, HttpResponse<String> page, String login,
                                             String password, String stopAt) {
        HttpResponse<String> answer = submitForm(browser, page, "login", Map.of("login", login, "password", password),
                stopAt);
        if (answer.body().contains("wrong login or password")) {
            throw new AssertionError("the provider refused " + login + "'s password");
        }
        return answer;
    }

    private Tokens tokens(Map<String, String> grant) {
        HttpResponse<String> answer = send(HttpClient.newHttpClient(), post(URI.create(issuer + "/token"), grant, true),
                200);
        return new Tokens(jsonString(answer.body(), "access_token"), jsonStringOrNull(answer.body(), "id_token"),
                jsonStringOrNull(answer.body(), "refresh_token"));
    }

    // ---- a browser: cookies, redirects followed by hand (so the callback is seen, not fetched), forms

    private static HttpClient browser() {
        return HttpClient.newBuilder().cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL))
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** Follows redirects until a page, or until the location starts with {@code stopAt} (then that URI, unfetched). */
    private static HttpResponse<String> follow(HttpClient browser, HttpRequest request, String stopAt) {
        HttpResponse<String> response = send(browser, request, -1);
        for (int hops = 0; hops < 10; hops++) {
            if (response.statusCode() / 100 != 3) {
                if (response.statusCode() != 200) {
                    throw new AssertionError(request.uri() + " answered " + response.statusCode() + ": "
                            + response.body());
                }
                return response;
            }
            URI next = response.uri().resolve(response.headers().firstValue("Location").orElseThrow());
            if (stopAt != null && next.toString().startsWith(stopAt)) {
                return new Landed(response, next);
            }
            response = send(browser, get(next), -1);
        }
        throw new AssertionError("too many redirects from " + request.uri());
    }

    private static final Pattern FORM = Pattern.compile("<form\\b([^>]*)>(.*?)</form>", Pattern.DOTALL);
    private static final Pattern INPUT = Pattern.compile("<input\\b([^>]*)>", Pattern.DOTALL);
    private static final Pattern ATTRIBUTE = Pattern.compile("([\\w-]+)=\"([^\"]*)\"");

    private static HttpResponse<String> submitForm(HttpClient browser, HttpResponse<String> page, String formId,
                                                   Map<String, String> filled, String stopAt) {
        // formId null: the page's first form.
        Matcher form = FORM.matcher(page.body());
        while (form.find()) {
            Map<String, String> attributes = attributes(form.group(1));
            if (formId != null && !formId.equals(attributes.get("id"))) {
                continue;
            }
            Map<String, String> fields = new LinkedHashMap<>();
            Matcher input = INPUT.matcher(form.group(2));
            while (input.find()) {
                Map<String, String> field = attributes(input.group(1));
                if (field.containsKey("name")) {
                    fields.put(field.get("name"), field.getOrDefault("value", ""));
                }
            }
            fields.putAll(filled);
            URI action = page.uri().resolve(unescape(attributes.get("action")));
            return follow(browser, browserPost(action, fields), stopAt);
        }
        throw new AssertionError("no form '" + formId + "' on " + page.uri() + ":\n" + page.body());
    }

    private static Map<String, String> attributes(String text) {
        Map<String, String> attributes = new LinkedHashMap<>();
        Matcher m = ATTRIBUTE.matcher(text);
        while (m.find()) {
            attributes.put(m.group(1), unescape(m.group(2)));
        }
        return attributes;
    }

    private static String unescape(String html) {
        return html.replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">")
                .replace("&amp;", "&");
    }

    private static HttpRequest get(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).GET().build();
    }

    private HttpRequest post(URI uri, Map<String, String> fields, boolean asClient) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/x-www-form-urlencoded");
        Map<String, String> body = new LinkedHashMap<>(fields);
        if (asClient) {
            String basic = URLEncoder.encode(spec.clientId(), StandardCharsets.UTF_8) + ":"
                    + URLEncoder.encode(spec.clientSecret(), StandardCharsets.UTF_8);
            builder.header("Authorization", "Basic "
                    + Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8)));
        }
        return builder.POST(HttpRequest.BodyPublishers.ofString(form(body))).build();
    }

    private static HttpRequest browserPost(URI uri, Map<String, String> fields) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(fields))).build();
    }

    private static HttpResponse<String> send(HttpClient client, HttpRequest request, int expectedStatus) {
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            if (expectedStatus > 0 && response.statusCode() != expectedStatus) {
                throw new AssertionError(request.method() + " " + request.uri() + " answered " + response.statusCode()
                        + ": " + response.body());
            }
            return response;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String form(Map<String, String> fields) {
        return fields.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> values = new LinkedHashMap<>();
        String raw = uri.getRawQuery();
        for (String pair : raw == null ? new String[0] : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                values.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return values;
    }

    private static String jsonString(String json, String field) {
        String value = jsonStringOrNull(json, field);
        if (value == null) {
            throw new AssertionError("no \"" + field + "\" in " + json);
        }
        return value;
    }

    /** A string field of a flat JSON object; the values read here (tokens, codes, URLs) have no escapes. */
    private static String jsonStringOrNull(String json, String field) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(field) + "\"\\s*:\\s*\"([^\"\\\\]*)\"").matcher(json);
        return m.find() ? m.group(1) : null;
    }

    private static String randomToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String challenge(String verifier) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(verifier.getBytes(StandardCharsets.US_ASCII)));
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- install and configure

    private static String configJson(Spec spec, List<User> roster, int port) {
        List<String> users = new ArrayList<>();
        for (User u : roster) {
            users.add("{\"login\":" + quote(u.login()) + ",\"password\":" + quote(u.password()) + ",\"name\":"
                    + quote(u.name()) + ",\"email\":" + quote(u.email()) + ",\"groups\":["
                    + u.groups().stream().map(OidcTestProvider::quote).collect(Collectors.joining(",")) + "]}");
        }
        return "{\"port\":" + port + ",\"audience\":" + quote(spec.clientId()) + ",\"resource\":" + quote(RESOURCE)
                + ",\"clientId\":" + quote(spec.clientId()) + ",\"clientSecret\":" + quote(spec.clientSecret())
                + ",\"redirectUri\":" + quote(REDIRECT_URI) + ",\"accessTokenTtlSeconds\":"
                + spec.accessTokenTtlSeconds() + ",\"clockOffsetSeconds\":" + spec.clockOffsetSeconds()
                + ",\"users\":[" + String.join(",", users) + "]}";
    }

    private static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    /**
     * The directory with our script and an installed {@code node_modules}: {@code npm ci} from our lock file, once per
     * lock file (its hash names the directory), under a file lock so that parallel test JVMs install it once.
     */
    static synchronized Path install() {
        requireNode();
        byte[] packageJson = resource("package.json");
        byte[] lock = resource("package-lock.json");
        String hash = HexFormat.of().formatHex(sha256(concat(packageJson, lock))).substring(0, 12);
        String root = System.getenv().getOrDefault("TERN_TEST_TOOLS",
                Path.of(System.getProperty("user.home"), ".cache", "tern-test-tools").toString());
        Path home = Path.of(root, "oidc-provider@" + OIDC_PROVIDER_VERSION + "-" + hash);
        try {
            Files.createDirectories(home);
            try (FileChannel channel = FileChannel.open(home.resolve(".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock ignored = channel.lock()) {
                Files.write(home.resolve("provider.mjs"), resource("provider.mjs"));
                if (!Files.isRegularFile(home.resolve("node_modules/oidc-provider/package.json"))) {
                    Files.write(home.resolve("package.json"), packageJson);
                    Files.write(home.resolve("package-lock.json"), lock);
                    run(home, List.of("npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"), Duration.ofMinutes(5));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot install oidc-provider into " + home, e);
        }
        return home;
    }

    private static void requireNode() {
        String version;
        try {
            version = run(Path.of("."), List.of("node", "--version"), Duration.ofSeconds(30)).trim();
        } catch (AssertionError | UncheckedIOException e) {
            throw new AssertionError("node >= 20 and npm are needed to run the real OpenID Provider (oidc-provider "
                    + OIDC_PROVIDER_VERSION + "); install Node.js (scripts/test.sh checks it)", e);
        }
        Matcher major = Pattern.compile("^v(\\d+)\\.").matcher(version);
        if (!major.find() || Integer.parseInt(major.group(1)) < 20) {
            throw new AssertionError("node >= 20 is needed for oidc-provider " + OIDC_PROVIDER_VERSION + ", found "
                    + version);
        }
    }

    private static String run(Path dir, List<String> command, Duration timeout) {
        try {
            Path output = Files.createTempFile("oidc-install", ".log");
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " took longer than " + timeout);
            }
            String text = Files.readString(output);
            Files.deleteIfExists(output);
            if (process.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed (" + process.exitValue() + "):\n" + text);
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = OidcTestProvider.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("test-support is missing its resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A redirect the browser stops at: the response that pointed there, with the target as its URI. */
    private static final class Landed implements HttpResponse<String> {
        private final HttpResponse<String> redirect;
        private final URI target;

        Landed(HttpResponse<String> redirect, URI target) {
            this.redirect = redirect;
            this.target = target;
        }

        @Override public int statusCode() { return redirect.statusCode(); }
        @Override public HttpRequest request() { return redirect.request(); }
        @Override public java.util.Optional<HttpResponse<String>> previousResponse() { return redirect.previousResponse(); }
        @Override public java.net.http.HttpHeaders headers() { return redirect.headers(); }
        @Override public String body() { return redirect.body(); }
        @Override public java.util.Optional<javax.net.ssl.SSLSession> sslSession() { return redirect.sslSession(); }
        @Override public URI uri() { return target; }
        @Override public HttpClient.Version version() { return redirect.version(); }
    }
}
