package dev.tern.api.idp;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import dev.tern.api.commands.CommandService;
import dev.tern.api.config.TernSettings;
import dev.tern.events.commands.RecordSignIn;
import dev.tern.events.meta.Actor;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.catalina.session.StandardManager;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.web.embedded.tomcat.TomcatContextCustomizer;
import org.springframework.boot.web.servlet.DelegatingFilterProxyRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.oidc.OidcScopes;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.config.annotation.web.configurers.OAuth2AuthorizationServerConfigurer;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.context.SecurityContextHolderFilter;
import org.springframework.security.web.util.matcher.AndRequestMatcher;
import org.springframework.security.web.util.matcher.MediaTypeRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * tern-server as an OpenID Provider at {@code /oauth2} on the REST port (Spring Authorization Server): discovery,
 * JWKS, authorization code with PKCE for the browser client, the device authorization grant for the command-line
 * client, refresh tokens, and the login, device verification and TOTP pages.
 *
 * <p>Spring Security sees only {@code /oauth2/*}: its filter is registered for that URL pattern alone, so the rest
 * of the REST API, the actuator and the error page keep Tern's own filters exactly as before (no session, no CSRF,
 * no generated password, no firewall rewording their errors). Inside, two filter chains: the provider's endpoints,
 * and the pages a person uses (which have a session and CSRF protection).
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSecurity
public class IdpConfiguration {
    static final String PREFIX = IdpSettings.ISSUER_PATH;
    static final String LOGIN_PAGE = PREFIX + "/login";
    static final String DEVICE_PAGE = PREFIX + "/device_verification";
    /** Where a signed-in person confirms that the code matches their device before it gets tokens. */
    static final String CONSENT_PAGE = PREFIX + "/consent";
    /** Where a signed-in local user sets up a TOTP second factor. */
    static final String TOTP_PAGE = PREFIX + "/totp";
    /** Access and ID tokens: short, because a JWT cannot be revoked; refresh tokens get new ones. */
    static final Duration ACCESS_TOKEN_TTL = Duration.ofMinutes(5);
    static final Duration REFRESH_TOKEN_TTL = Duration.ofHours(12);
    static final Duration DEVICE_CODE_TTL = Duration.ofMinutes(10);
    /** A retired key stays published this long: the longest token lifetime plus clock skew. */
    static final Duration KEY_PUBLISHED_AFTER_RETIREMENT = ACCESS_TOKEN_TTL.plus(Duration.ofMinutes(5));
    /** Browser sessions of the login pages: few, short, bounded. */
    static final int MAX_SESSIONS = 10_000;

    @Bean
    IdpSettings idpSettings(Environment environment) {
        return IdpSettings.from(System.getenv(), environment::getProperty);
    }

    @Bean
    SigningKeys idpSigningKeys(JdbcTemplate jdbc, IdpSettings settings) {
        return new SigningKeys(jdbc, Clock.systemUTC(), settings.keyRotation(), KEY_PUBLISHED_AFTER_RETIREMENT);
    }

    @Bean
    EmbeddedProvider embeddedIssuer(IdpSettings settings, TernSettings tern, SigningKeys keys) {
        return new EmbeddedProvider(settings, tern.tls().enabled(), keys);
    }

    @Bean
    DeviceLoginSettings deviceLoginSettings(IdpSettings settings, EmbeddedProvider provider) {
        return new DeviceLoginSettings(settings.cliClientId(), provider::issuer, settings.restUrl().isPresent());
    }

    @Bean
    LocalCredentials localCredentials(JdbcTemplate jdbc, TernSettings tern) {
        return new LocalCredentials(jdbc, Clock.systemUTC(), tern.storage().dataDir());
    }

    @Bean
    Invites invites(JdbcTemplate jdbc) {
        return new Invites(jdbc, Clock.systemUTC());
    }

    @Bean
    LocalSignIn localSignIn(LocalCredentials credentials, CommandService commands) {
        return new LocalSignIn(credentials, new SignInThrottle(Clock.systemUTC()), Clock.systemUTC(),
                (user, address, succeeded, reason) -> commands.send(
                        new RecordSignIn(user.accountId(), user.userId(), succeeded, reason),
                        new Actor(Actor.Type.USER, user.userId(), user.name(), user.email()), address));
    }

    /** Spring Security's servlet filter runs for the provider's paths only; see the class comment. */
    @Bean
    static BeanPostProcessor securityFilterOnlyForProvider() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessBeforeInitialization(Object bean, String beanName) {
                if (bean instanceof DelegatingFilterProxyRegistrationBean registration
                        && "securityFilterChainRegistration".equals(beanName)) {
                    registration.setUrlPatterns(List.of(PREFIX + "/*"));
                }
                return bean;
            }
        };
    }

    /** The login pages' sessions: bounded in number, never persisted across restarts. */
    @Bean
    TomcatContextCustomizer boundedSessions() {
        return context -> {
            StandardManager manager = new StandardManager();
            manager.setMaxActiveSessions(MAX_SESSIONS);
            manager.setPathname(null);
            context.setManager(manager);
            context.setSessionCookiePath(PREFIX);
            context.setSessionTimeout(15);
        };
    }

    @Bean
    @Order(1)
    SecurityFilterChain idpEndpointsChain(HttpSecurity http, EmbeddedProvider provider,
                                          RegisteredClientRepository clients) throws Exception {
        OAuth2AuthorizationServerConfigurer server = OAuth2AuthorizationServerConfigurer.authorizationServer();
        RequestMatcher endpoints = new AndRequestMatcher(
                request -> request.getRequestURI().startsWith(PREFIX + "/"), server.getEndpointsMatcher());
        http.securityMatcher(endpoints)
                .with(server, as -> as
                        .oidc(Customizer.withDefaults())
                        .clientAuthentication(c -> c
                                .authenticationConverters(list -> list.add(0, new PublicClientGrants.Converter()))
                                .authenticationProviders(list -> list.add(0, new PublicClientGrants.Provider(clients))))
                        .deviceAuthorizationEndpoint(d -> d.deviceAuthorizationResponseHandler(
                                new DeviceAuthorizationAnswer(provider::issuer)))
                        .deviceVerificationEndpoint(d -> d.consentPage(CONSENT_PAGE)
                                .deviceVerificationResponseHandler((request, response, a) ->
                                        response.sendRedirect(DEVICE_PAGE + "?success"))))
                .authorizeHttpRequests(a -> a.anyRequest().authenticated())
                .csrf(c -> c.ignoringRequestMatchers(endpoints))
                .exceptionHandling(e -> e.defaultAuthenticationEntryPointFor(
                        new LoginUrlAuthenticationEntryPoint(LOGIN_PAGE), browsers()))
                .addFilterBefore(new PublicOrigin(provider::restUrl), SecurityContextHolderFilter.class);
        return http.build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain idpPagesChain(HttpSecurity http, EmbeddedProvider provider)
            throws Exception {
        // LocalSignIn reaches this chain as the global AuthenticationManager's one provider (it is a bean); added here
        // as well it would run twice per attempt, and count every wrong password twice.
        http.securityMatcher(request -> request.getRequestURI().startsWith(PREFIX + "/"))
                .authorizeHttpRequests(a -> a.requestMatchers(LOGIN_PAGE).permitAll().anyRequest().authenticated())
                .formLogin(f -> f.loginPage(LOGIN_PAGE).loginProcessingUrl(LOGIN_PAGE)
                        .usernameParameter("email").passwordParameter("password")
                        .authenticationDetailsSource(LocalSignIn.DETAILS)
                        .failureHandler(SignInPages::signInFailed)
                        .defaultSuccessUrl(DEVICE_PAGE, false))
                .logout(l -> l.logoutUrl(PREFIX + "/logout").logoutSuccessUrl(LOGIN_PAGE + "?signed-out"))
                .addFilterBefore(new PublicOrigin(provider::restUrl), SecurityContextHolderFilter.class);
        return http.build();
    }

    /** Requests that asked for HTML (a browser) are sent to the login page; programs get the endpoint's 401. */
    private static RequestMatcher browsers() {
        MediaTypeRequestMatcher html = new MediaTypeRequestMatcher(MediaType.TEXT_HTML);
        html.setIgnoredMediaTypes(java.util.Set.of(MediaType.ALL));
        return html;
    }

    @Bean
    AuthorizationServerSettings authorizationServerSettings() {
        // Several issuers allowed = the issuer is taken from the request path before the endpoint, so endpoints
        // live at /oauth2/token etc. and discovery at /oauth2/.well-known/openid-configuration; PublicOrigin pins
        // the scheme, host and port to the public REST URL, so in practice there is exactly one issuer.
        return AuthorizationServerSettings.builder()
                .multipleIssuersAllowed(true)
                .authorizationEndpoint("/authorize")
                .deviceAuthorizationEndpoint("/device_authorization")
                .deviceVerificationEndpoint("/device_verification")
                .tokenEndpoint("/token")
                .jwkSetEndpoint("/jwks")
                .tokenRevocationEndpoint("/revoke")
                .tokenIntrospectionEndpoint("/introspect")
                .oidcUserInfoEndpoint("/userinfo")
                .oidcLogoutEndpoint("/connect/logout")
                .oidcClientRegistrationEndpoint("/connect/register")
                .build();
    }

    /**
     * The two built-in public clients; neither has a secret, both need no consent (they are Tern's own), both must
     * use PKCE for the authorization code.
     */
    @Bean
    RegisteredClientRepository registeredClients(IdpSettings settings, EmbeddedProvider provider) {
        TokenSettings tokens = TokenSettings.builder().accessTokenTimeToLive(ACCESS_TOKEN_TTL)
                .refreshTokenTimeToLive(REFRESH_TOKEN_TTL).reuseRefreshTokens(false)
                .deviceCodeTimeToLive(DEVICE_CODE_TTL).authorizationCodeTimeToLive(Duration.ofMinutes(1)).build();
        ClientSettings publicClient = ClientSettings.builder().requireProofKey(true)
                .requireAuthorizationConsent(false).build();
        List<String> redirectUris = new ArrayList<>();
        settings.dashboardRedirectUris().forEach(uri -> redirectUris.add(uri.toString()));
        RegisteredClient dashboard = RegisteredClient.withId(UUID.nameUUIDFromBytes(
                        ("dashboard:" + settings.dashboardClientId()).getBytes()).toString())
                .clientId(settings.dashboardClientId()).clientName("Tern dashboard")
                .clientAuthenticationMethod(ClientAuthenticationMethod.NONE)
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .authorizationGrantType(AuthorizationGrantType.REFRESH_TOKEN)
                .redirectUris(uris -> {
                    if (redirectUris.isEmpty()) {
                        // Default: NetBird's dashboard served from the REST URL. Resolved now only if configured;
                        // without TERN_REST_URL the port is not known yet, so localhost on any port is accepted
                        // through the loopback rule below.
                        URI base = settings.restUrl().orElse(URI.create("http://127.0.0.1"));
                        uris.add(base.resolve("/nb-auth").toString());
                        uris.add(base.resolve("/nb-silent-auth").toString());
                    } else {
                        uris.addAll(redirectUris);
                    }
                })
                .scope(OidcScopes.OPENID).scope(OidcScopes.PROFILE).scope(OidcScopes.EMAIL)
                .clientSettings(publicClient).tokenSettings(tokens).build();
        RegisteredClient cli = RegisteredClient.withId(UUID.nameUUIDFromBytes(
                        ("cli:" + settings.cliClientId()).getBytes()).toString())
                .clientId(settings.cliClientId()).clientName("Tern command line")
                .clientAuthenticationMethod(ClientAuthenticationMethod.NONE)
                .authorizationGrantType(AuthorizationGrantType.DEVICE_CODE)
                .authorizationGrantType(AuthorizationGrantType.REFRESH_TOKEN)
                // NetBird's client on a desktop: the browser flow (PKCE required) back to its loopback listener
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .redirectUris(uris -> uris.addAll(DeviceLoginSettings.PKCE_REDIRECT_URIS))
                .scope(OidcScopes.OPENID).scope(OidcScopes.PROFILE).scope(OidcScopes.EMAIL).scope("offline_access")
                .clientSettings(publicClient).tokenSettings(tokens).build();
        return new InMemoryRegisteredClientRepository(dashboard, cli);
    }

    @Bean
    OAuth2AuthorizationService authorizationService() {
        return new BoundedAuthorizations(BoundedAuthorizations.MAX_AUTHORIZATIONS);
    }

    /** What the JWKS endpoint publishes: the signing key and retired keys whose tokens may still be alive. */
    @Bean
    JWKSource<SecurityContext> publishedKeys(SigningKeys keys) {
        return (selector, context) -> selector.select(keys.published());
    }

    /** Tokens are signed with the current key only (the encoder refuses to choose among several). */
    @Bean
    JwtEncoder idpJwtEncoder(SigningKeys keys) {
        return new NimbusJwtEncoder((selector, context) -> selector.select(new JWKSet(keys.current())));
    }

    /**
     * Access tokens are for Tern's API ({@code aud} = {@link EmbeddedProvider#AUDIENCE}); every token names the
     * issuer Tern verifies against and carries the user's e-mail address and name.
     */
    @Bean
    OAuth2TokenCustomizer<JwtEncodingContext> tokenClaims(EmbeddedProvider provider, LocalCredentials credentials) {
        return context -> {
            context.getClaims().issuer(provider.issuer());
            if (OAuth2TokenType.ACCESS_TOKEN.equals(context.getTokenType())) {
                context.getClaims().audience(List.of(EmbeddedProvider.AUDIENCE));
            }
            credentials.byUserId(context.getPrincipal().getName()).ifPresent(user -> context.getClaims()
                    .claim("email", user.email()).claim("name", user.name()));
        };
    }
}
