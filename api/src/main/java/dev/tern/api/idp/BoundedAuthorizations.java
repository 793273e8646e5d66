package dev.tern.api.idp;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.security.oauth2.server.authorization.InMemoryOAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;

/**
 * The provider's grants in progress and issued (authorization codes, device codes, refresh tokens), in memory and
 * bounded: anyone may start a device authorization, so at most {@link #MAX_AUTHORIZATIONS} are held and the
 * least recently saved ones are forgotten first (their device code or refresh token then stops working). A restart
 * forgets them all: signed-in clients keep their access tokens until they expire and sign in again.
 */
final class BoundedAuthorizations implements OAuth2AuthorizationService {
    static final int MAX_AUTHORIZATIONS = 10_000;

    private final InMemoryOAuth2AuthorizationService store = new InMemoryOAuth2AuthorizationService();
    private final int max;
    /** Ids in the order they were last saved. */
    private final LinkedHashMap<String, Boolean> order = new LinkedHashMap<>();

    BoundedAuthorizations(int max) {
        this.max = max;
    }

    @Override
    public synchronized void save(OAuth2Authorization authorization) {
        store.save(authorization);
        order.remove(authorization.getId());
        order.put(authorization.getId(), Boolean.TRUE);
        Iterator<Map.Entry<String, Boolean>> oldest = order.entrySet().iterator();
        while (order.size() > max && oldest.hasNext()) {
            OAuth2Authorization evicted = store.findById(oldest.next().getKey());
            oldest.remove();
            if (evicted != null) {
                store.remove(evicted);
            }
        }
    }

    @Override
    public synchronized void remove(OAuth2Authorization authorization) {
        order.remove(authorization.getId());
        store.remove(authorization);
    }

    @Override
    public synchronized OAuth2Authorization findById(String id) {
        return store.findById(id);
    }

    @Override
    public synchronized OAuth2Authorization findByToken(String token, OAuth2TokenType tokenType) {
        return store.findByToken(token, tokenType);
    }
}
