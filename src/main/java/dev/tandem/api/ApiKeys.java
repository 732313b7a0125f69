package dev.tandem.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** The optional bearer-token check, shared by the Vert.x routes and the REST filter. */
final class ApiKeys {
    private ApiKeys() {}

    static boolean allowed(ApiConfig config, String authorization) {
        if (config.key().isEmpty()) {
            return true;
        }
        String expected = "Bearer " + config.key().get();
        return authorization != null
                && MessageDigest.isEqual(
                        expected.getBytes(StandardCharsets.UTF_8), authorization.getBytes(StandardCharsets.UTF_8));
    }
}
