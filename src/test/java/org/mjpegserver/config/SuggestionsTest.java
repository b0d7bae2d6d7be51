package org.mjpegserver.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

final class SuggestionsTest {

    @Test
    void distanceIsLevenshtein() {
        assertEquals(0, Suggestions.distance("stream_fps", "stream_fps"));
        assertEquals(3, Suggestions.distance("kitten", "sitting"));
        assertEquals(2, Suggestions.distance("stream_fsp", "stream_fps"), "a swap is two edits");
        assertEquals(1, Suggestions.distance("url", "urls"));
        assertEquals(1, Suggestions.distance("usename", "username"));
        assertEquals(4, Suggestions.distance("", "abcd"));
        assertEquals(4, Suggestions.distance("abcd", ""));
        assertEquals(Suggestions.distance("password", "passwrd"), Suggestions.distance("passwrd", "password"));
    }

    @Test
    void nearestFindsTheIntendedKey() {
        assertEquals("stream_fps", Suggestions.nearest("stream_fsp", ConfigLoader.SETTING_KEYS));
        assertEquals("image_timeout_behavior", Suggestions.nearest("image_timeout_behaviour", ConfigLoader.SETTING_KEYS));
        assertEquals("fetch_maximum_fps", Suggestions.nearest("fetch_max_fps", ConfigLoader.SETTING_KEYS));
        assertEquals("username", Suggestions.nearest("usename", ConfigLoader.IMAGE_KEYS));
        assertEquals("stream_fps", Suggestions.nearest("Stream_FPS", ConfigLoader.SETTING_KEYS), "case does not matter");
    }

    @Test
    void nearestGivesNothingWhenNothingIsClose() {
        assertNull(Suggestions.nearest("colour", ConfigLoader.SETTING_KEYS));
        assertNull(Suggestions.nearest("zzz", List.of("url")));
        assertNull(Suggestions.nearest("anything", List.of()));
    }

    @Test
    void tiesGoToTheAlphabeticallyFirstKey() {
        // "cat" is one edit from both; the answer must not depend on set iteration order.
        assertEquals("bat", Suggestions.nearest("cat", List.of("rat", "bat")));
        assertEquals("bat", Suggestions.nearest("cat", List.of("bat", "rat")));
    }
}
