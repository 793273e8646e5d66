package dev.tern.api.idp;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.function.Supplier;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Makes the provider see every request as made to the public REST URL, whatever Host header or proxy it came
 * through: Spring Authorization Server derives its issuer, the endpoint URLs of its discovery document, the device
 * verification URI and the login redirects from the request, and they must all name the one issuer that signs the
 * tokens ({@link EmbeddedIssuer#issuer()}), or a client that validates {@code iss} would refuse them.
 */
final class PublicOrigin extends OncePerRequestFilter {
    private final Supplier<URI> restUrl;

    PublicOrigin(Supplier<URI> restUrl) {
        this.restUrl = restUrl;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        URI origin = restUrl.get();
        boolean https = origin.getScheme().equals("https");
        int port = origin.getPort() > 0 ? origin.getPort() : (https ? 443 : 80);
        chain.doFilter(new HttpServletRequestWrapper(request) {
            @Override
            public String getScheme() {
                return origin.getScheme();
            }

            @Override
            public String getServerName() {
                return origin.getHost();
            }

            @Override
            public int getServerPort() {
                return port;
            }

            @Override
            public boolean isSecure() {
                return https;
            }

            @Override
            public StringBuffer getRequestURL() {
                StringBuffer url = new StringBuffer(origin.getScheme()).append("://").append(origin.getHost());
                if (origin.getPort() > 0) {
                    url.append(':').append(origin.getPort());
                }
                return url.append(getRequestURI());
            }
        }, response);
    }
}
