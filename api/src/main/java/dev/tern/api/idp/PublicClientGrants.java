package dev.tern.api.idp;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import java.util.Set;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.web.authentication.AuthenticationConverter;

/**
 * Lets the built-in public clients (no secret: a browser and a command-line tool cannot keep one) start a device
 * authorization and use the token endpoint for the grants that carry no PKCE verifier: the device code (RFC 8628)
 * and the refresh token. Spring
 * Authorization Server authenticates public clients only by PKCE, which fits the authorization code grant alone.
 * The grants themselves still check everything (the device code or refresh token must belong to this client).
 */
final class PublicClientGrants {
    private static final Set<String> GRANTS = Set.of(AuthorizationGrantType.DEVICE_CODE.getValue(),
            AuthorizationGrantType.REFRESH_TOKEN.getValue());
    /**
     * Marks the client authentications made by {@link Converter}: Spring's PKCE converter makes tokens of the same
     * shape, which must go on to its verifier check and never be accepted here.
     */
    private static final String MARKER = "tern_public_client_grant";

    private PublicClientGrants() {
    }

    /**
     * A device authorization request, or a token request of such a grant, naming its client by {@code client_id} and
     * no other credential.
     */
    static final class Converter implements AuthenticationConverter {
        @Override
        public Authentication convert(HttpServletRequest request) {
            String grant = request.getParameter(OAuth2ParameterNames.GRANT_TYPE);
            boolean deviceAuthorization = grant == null
                    && request.getRequestURI().equals(IdpConfiguration.PREFIX + "/device_authorization");
            if (!"POST".equals(request.getMethod()) || !(deviceAuthorization || (grant != null && GRANTS.contains(grant)))
                    || request.getHeader("Authorization") != null
                    || request.getParameter(OAuth2ParameterNames.CLIENT_SECRET) != null) {
                return null;
            }
            String[] clientIds = request.getParameterValues(OAuth2ParameterNames.CLIENT_ID);
            if (clientIds == null || clientIds.length != 1 || clientIds[0].isEmpty()) {
                return null;
            }
            return new OAuth2ClientAuthenticationToken(clientIds[0], ClientAuthenticationMethod.NONE, null,
                    Map.of(MARKER, true));
        }
    }

    /** Accepts such a request only for a registered client whose only authentication method is "none". */
    static final class Provider implements AuthenticationProvider {
        private final RegisteredClientRepository clients;

        Provider(RegisteredClientRepository clients) {
            this.clients = clients;
        }

        @Override
        public Authentication authenticate(Authentication authentication) {
            OAuth2ClientAuthenticationToken token = (OAuth2ClientAuthenticationToken) authentication;
            if (!ClientAuthenticationMethod.NONE.equals(token.getClientAuthenticationMethod())
                    || token.getCredentials() != null || !token.getAdditionalParameters().containsKey(MARKER)) {
                return null;
            }
            RegisteredClient client = clients.findByClientId(String.valueOf(token.getPrincipal()));
            if (client == null || !client.getClientAuthenticationMethods().contains(ClientAuthenticationMethod.NONE)) {
                throw new OAuth2AuthenticationException(OAuth2ErrorCodes.INVALID_CLIENT);
            }
            return new OAuth2ClientAuthenticationToken(client, ClientAuthenticationMethod.NONE, null);
        }

        @Override
        public boolean supports(Class<?> authentication) {
            return OAuth2ClientAuthenticationToken.class.isAssignableFrom(authentication);
        }
    }
}
