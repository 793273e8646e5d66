package dev.tern.api.support;

import dev.tern.api.TernServerApplication;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.ContextConfiguration;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A real tern-server (REST on a random port, gRPC on a free port) on embedded PostgreSQL in a fresh temp data dir.
 * Every class carrying exactly this annotation (and nothing else that changes the context: no @MockBean, no
 * @TestPropertySource, no @DirtiesContext) shares ONE server and database per JVM through Spring's context cache,
 * so tests must not assume an empty database: create your own account via /api/setup only once per JVM — see
 * {@link TestHttp#adminToken()} — and use unique names. Metrics export is on, as in production (Spring Boot tests
 * switch it off unless asked): the actuator tests need it, and a second server just for them would cost a start.
 *
 * <p>Inject {@link TestHttp} to call the API: {@code @Autowired TestHttp http;}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@SpringBootTest(classes = TernServerApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"tern.grpc-port=0", "axoniq.update-checker.disabled=true",
                // identity providers' client secrets are sealed with it (a fixed test key, 32 bytes in base64)
                "tern.encryption-key=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="})
@ContextConfiguration(initializers = TempDataDirInitializer.class)
@Import(TestHttp.class)
@AutoConfigureObservability(tracing = false)
public @interface TernIntegrationTest {
}
