package org.mjpegserver.frames;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mjpegserver.image.JpegDimensions;

/** Parsing {@code ?width=} and {@code ?height=}, and rounding them to the width steps of a source. */
final class SizeRequestTest {

    private static final JpegDimensions HD = new JpegDimensions(1280, 720);

    @ParameterizedTest
    @ValueSource(strings = {"0", "-5", "abc", "100000", "", "1.5", "7681", "99999999999999999999"})
    void refusesWhatIsNotASize(String value) {
        IllegalArgumentException width = assertThrows(IllegalArgumentException.class, () -> SizeRequest.parse(value, null));
        assertEquals("width must be a whole number of pixels from 1 to 7680", width.getMessage());
        IllegalArgumentException height = assertThrows(IllegalArgumentException.class, () -> SizeRequest.parse("320", value));
        assertEquals("height must be a whole number of pixels from 1 to 7680", height.getMessage());
    }

    @Test
    void parsesEitherOrBoth() {
        assertEquals(SizeRequest.SOURCE, SizeRequest.parse(null, null));
        assertEquals(new SizeRequest(320, 0), SizeRequest.parse("320", null));
        assertEquals(new SizeRequest(0, 180), SizeRequest.parse(null, " 180"));
        assertEquals(new SizeRequest(7680, 1), SizeRequest.parse("7680", "1"));
    }

    @Test
    void roundsDownToAWidthStepThatFitsTheBox() {
        assertEquals(320, new SizeRequest(320, 0).widthStep(HD));
        assertEquals(320, new SizeRequest(479, 0).widthStep(HD));
        assertEquals(960, new SizeRequest(1279, 0).widthStep(HD));
        assertEquals(80, new SizeRequest(1, 0).widthStep(HD), "below the smallest step: the smallest");
    }

    @Test
    void aHeightMapsToTheWidthOfTheSourcesAspect() {
        assertEquals(320, new SizeRequest(0, 180).widthStep(HD));
        assertEquals(640, new SizeRequest(0, 400).widthStep(HD));
        assertEquals(240, new SizeRequest(0, 180).widthStep(new JpegDimensions(720, 540)), "4:3");
    }

    @Test
    void widthAndHeightTogetherFitWithinBoth() {
        assertEquals(320, new SizeRequest(640, 180).widthStep(HD));
        assertEquals(320, new SizeRequest(320, 720).widthStep(HD));
    }

    @Test
    void neverLargerThanTheSource() {
        assertEquals(0, SizeRequest.SOURCE.widthStep(HD));
        assertEquals(0, new SizeRequest(1280, 0).widthStep(HD));
        assertEquals(0, new SizeRequest(7680, 4320).widthStep(HD));
        assertEquals(0, new SizeRequest(0, 720).widthStep(HD));
        assertEquals(3840, new SizeRequest(7680, 0).widthStep(new JpegDimensions(7000, 3000)), "the largest step");
        assertEquals(0, new SizeRequest(80, 0).widthStep(new JpegDimensions(64, 48)), "a source below the smallest step");
        assertEquals(0, new SizeRequest(320, 0).widthStep(null), "a source whose size cannot be read is shown as it is");
    }
}
