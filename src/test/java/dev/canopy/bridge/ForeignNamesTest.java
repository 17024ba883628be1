package dev.canopy.bridge;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Foreign names become valid, unambiguous context names; secret-like keys are recognised. */
class ForeignNamesTest {
    @Test
    void dotsAndControlCharactersBecomeUnderscoresAndValidNamesAreKeptAsTheyAre() {
        assertEquals("http_server_requests", ForeignNames.contextName("http.server.requests"));
        assertEquals("GET _orders", ForeignNames.contextName("GET \u001borders"));
        assertEquals("a_b", ForeignNames.contextName("a\nb"));
        String valid = "POST /orders/{id}";
        assertSame(valid, ForeignNames.contextName(valid), "unchanged names are the same instance: no data copy");
    }

    @Test
    void blankNamesAreUnnamedAndLongOnesCut() {
        assertEquals(ForeignNames.UNNAMED, ForeignNames.contextName(null));
        assertEquals(ForeignNames.UNNAMED, ForeignNames.contextName("  "));
        assertEquals(200, ForeignNames.contextName("x".repeat(1_000)).length());
        assertEquals("x".repeat(199) + "_", ForeignNames.contextName("x".repeat(199) + ".yyy"));
    }

    @Test
    void keysCanopyWouldRefuseAreNotUsable() {
        assertTrue(ForeignNames.isUsableKey("http.request.method"));
        assertFalse(ForeignNames.isUsableKey(""));
        assertFalse(ForeignNames.isUsableKey(" "));
        assertFalse(ForeignNames.isUsableKey("a\u0000b"));
        assertFalse(ForeignNames.isUsableKey("k".repeat(201)));
    }

    @Test
    void secretLikeKeysAreRecognisedAndCountsOfTokensAreNot() {
        for (String key : new String[]{"db.password", "http.request.header.authorization", "access_token",
                "x-auth-token", "Api-Key", "client_secret", "http.request.header.cookie", "aws.credentials",
                "session", "session.id", "JSESSIONID", "x-auth", "jwt", "id_jwt", "bearer", "ssn", "sig"}) {
            assertTrue(ForeignNames.isSecretLike(key), key);
        }
        for (String key : new String[]{"gen_ai.usage.input_tokens", "http.request.method", "url.full", "db.statement",
                "author", "sessions.active", "signal", "design"}) {
            assertFalse(ForeignNames.isSecretLike(key), key);
        }
    }

    @Test
    void secretQueryValuesAreRedactedAndTheRestOfTheUrlKept() {
        assertEquals("https://h/users/7?access_token=<redacted>&sig=<redacted>&page=2#top",
                ForeignNames.withoutSecretQueryValues("https://h/users/7?access_token=SECRET5&sig=ABC&page=2#top"));
        assertEquals("/search?q=canopy&page=2", ForeignNames.withoutSecretQueryValues("/search?q=canopy&page=2"));
        assertEquals("/a?page=2&api_key=<redacted>", ForeignNames.withoutSecretQueryValues("/a?page=2&api_key=k"));
        assertEquals("/a?flag&token=<redacted>", ForeignNames.withoutSecretQueryValues("/a?flag&token=t"));
        assertEquals("no query", ForeignNames.withoutSecretQueryValues("no query"));
        assertEquals("/a?", ForeignNames.withoutSecretQueryValues("/a?"));
    }
}
