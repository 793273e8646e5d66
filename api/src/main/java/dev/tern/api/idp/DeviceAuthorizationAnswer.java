package dev.tern.api.idp;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.function.Supplier;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.endpoint.OAuth2DeviceAuthorizationResponse;
import org.springframework.security.oauth2.core.http.converter.OAuth2DeviceAuthorizationResponseHttpMessageConverter;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2DeviceAuthorizationRequestAuthenticationToken;
import org.springframework.security.web.authentication.AuthenticationSuccessHandler;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The answer to a device authorization request, as Spring's endpoint writes it plus {@code interval} (RFC 8628
 * §3.2): Spring Authorization Server leaves it out, and NetBird's client then polls with {@code NewTicker(0)}, which
 * panics and takes its daemon down. The verification URIs are the ones Spring builds: the issuer's verification
 * endpoint, and the same with the user code.
 */
final class DeviceAuthorizationAnswer implements AuthenticationSuccessHandler {
    /** Seconds between two polls of the token endpoint; RFC 8628's default. */
    static final long POLL_INTERVAL_SECONDS = 5;

    private final Supplier<String> issuer;
    private final HttpMessageConverter<OAuth2DeviceAuthorizationResponse> converter =
            new OAuth2DeviceAuthorizationResponseHttpMessageConverter();

    DeviceAuthorizationAnswer(Supplier<String> issuer) {
        this.issuer = issuer;
    }

    @Override
    public void onAuthenticationSuccess(HttpServletRequest request, HttpServletResponse response,
                                        Authentication authentication) throws IOException {
        OAuth2DeviceAuthorizationRequestAuthenticationToken granted =
                (OAuth2DeviceAuthorizationRequestAuthenticationToken) authentication;
        String verificationUri = issuer.get() + "/device_verification";
        String verificationUriComplete = UriComponentsBuilder.fromUriString(verificationUri)
                .queryParam("user_code", granted.getUserCode().getTokenValue()).build().toUriString();
        OAuth2DeviceAuthorizationResponse answer = OAuth2DeviceAuthorizationResponse
                .with(granted.getDeviceCode(), granted.getUserCode())
                .verificationUri(verificationUri).verificationUriComplete(verificationUriComplete)
                .interval(POLL_INTERVAL_SECONDS).build();
        converter.write(answer, null, new ServletServerHttpResponse(response));
    }
}
