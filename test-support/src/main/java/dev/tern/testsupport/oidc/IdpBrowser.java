package dev.tern.testsupport.oidc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * A person's browser as the embedded provider's tests need it: a real HTTP client with its own cookie jar that follows
 * redirects one at a time (so a test sees where it is sent) and fills in the login form it is shown. Shared by api's
 * tests (plain HTTP on loopback) and e2e's (HTTPS, trusting the test CA).
 */
public final class IdpBrowser {
    private static final Pattern HIDDEN = Pattern.compile("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\">");

    /** What a browser asks for when it follows a link. */
    private static final String HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

    private final HttpClient client;
    private final int port;
    private final String origin;

    /** A browser of the server on {@code http://localhost:port}. */
    public IdpBrowser(int port) {
        this(URI.create("http://localhost:" + port), null);
    }

    /** A browser of the server at {@code base} (scheme, host, port); {@code tls} trusts its certificate, or null. */
    public IdpBrowser(URI base, SSLContext tls) {
        HttpClient.Builder builder = HttpClient.newBuilder().cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10));
        if (tls != null) {
            builder.sslContext(tls);
        }
        this.client = builder.build();
        this.port = base.getPort();
        this.origin = base.getScheme() + "://" + base.getHost() + ":" + base.getPort();
    }

    public int port() {
        return port;
    }

    public String origin() {
        return origin;
    }

    public HttpResponse<String> get(String pathOrUrl) {
        return send(HttpRequest.newBuilder(uri(pathOrUrl)).header("Accept", HTML).GET());
    }

    public HttpResponse<String> postForm(String pathOrUrl, Map<String, String> form) {
        return send(HttpRequest.newBuilder(uri(pathOrUrl)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(form))));
    }

    /** Follows redirects within the server until one leaves it (returned as is) or a page is shown. */
    public HttpResponse<String> follow(HttpResponse<String> response) {
        HttpResponse<String> current = response;
        for (int hops = 0; hops < 10 && current.statusCode() / 100 == 3; hops++) {
            String location = location(current);
            if (!location.startsWith(origin) && location.startsWith("http")) {
                return current;
            }
            current = get(location);
        }
        return current;
    }

    /** Signs in on the login page the browser was sent to, and returns the answer to the form. */
    public HttpResponse<String> signIn(String email, String password, String code) {
        HttpResponse<String> page = get("/oauth2/login");
        Map<String, String> form = new LinkedHashMap<>(hiddenFields(page.body()));
        form.put("email", email);
        form.put("password", password);
        if (code != null) {
            form.put("code", code);
        }
        return postForm("/oauth2/login", form);
    }

    /** Submits the first form of a page with its hidden fields, as a person pressing its first button. */
    public HttpResponse<String> submitFirstForm(String html) {
        return submitFirstForm(html, Map.of());
    }

    /** The same, with fields the person typed in. */
    public HttpResponse<String> submitFirstForm(String html, Map<String, String> typed) {
        Matcher form = Pattern.compile("<form method=\"post\" action=\"([^\"]+)\">(.*?)</form>", Pattern.DOTALL)
                .matcher(html);
        if (!form.find()) {
            throw new AssertionError("no form in " + html);
        }
        StringBuilder body = new StringBuilder();
        Matcher m = HIDDEN.matcher(form.group(2));
        while (m.find()) {
            body.append(body.isEmpty() ? "" : "&").append(encode(unescape(m.group(1)))).append('=')
                    .append(encode(unescape(m.group(2))));
        }
        typed.forEach((k, v) -> body.append(body.isEmpty() ? "" : "&").append(encode(k)).append('=').append(encode(v)));
        return send(HttpRequest.newBuilder(uri(form.group(1))).header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", HTML).POST(HttpRequest.BodyPublishers.ofString(body.toString())));
    }

    private static String unescape(String html) {
        return html.replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">")
                .replace("&amp;", "&");
    }

    public static Map<String, String> hiddenFields(String html) {
        Map<String, String> fields = new LinkedHashMap<>();
        Matcher m = HIDDEN.matcher(html);
        while (m.find()) {
            fields.put(m.group(1), m.group(2));
        }
        return fields;
    }

    public static String location(HttpResponse<String> response) {
        return response.headers().firstValue("Location").orElseThrow(
                () -> new AssertionError("no Location in " + response.statusCode() + ": " + response.body()));
    }

    /** The query parameters of a URL, decoded. */
    public static Map<String, String> query(String url) {
        Map<String, String> params = new LinkedHashMap<>();
        String query = URI.create(url).getRawQuery();
        if (query == null) {
            return params;
        }
        for (String pair : query.split("&")) {
            String[] kv = pair.split("=", 2);
            params.put(decode(kv[0]), kv.length > 1 ? decode(kv[1]) : "");
        }
        return params;
    }

    public static String form(Map<String, String> form) {
        StringBuilder body = new StringBuilder();
        form.forEach((k, v) -> body.append(body.isEmpty() ? "" : "&").append(encode(k)).append('=').append(encode(v)));
        return body.toString();
    }

    public static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String decode(String s) {
        return java.net.URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private URI uri(String pathOrUrl) {
        return URI.create(pathOrUrl.startsWith("http") ? pathOrUrl : origin + pathOrUrl);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return client.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
