package dev.tern.api.config;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** Exposes the validated {@link TernSettings} to the rest of the server. */
@Configuration(proxyBeanMethods = false)
class SettingsConfiguration {

    /**
     * Values come from Spring's environment, which already maps TERN_HTTP_PORT to tern.http-port and lets test
     * properties override both; the typo check looks at the real process environment.
     */
    @Bean
    TernSettings ternSettings(Environment environment) {
        return TernSettings.from(System.getenv(), environment::getProperty);
    }
}
