package org.mjpegserver.image;

import java.awt.Graphics2D;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Decoding with ImageIO (TwelveMonkeys' JPEG reader handles CMYK, YCCK and broken markers the JDK's rejects)
 * and encoding to baseline JPEG. Every decode checks the declared size first, so a header that promises
 * 100 000 x 100 000 pixels is refused before a byte of pixel memory is taken.
 */
public final class JpegCodec {

    private static final float QUALITY = 0.85f;
    /**
     * Warnings about a missing or unusable colour profile (a CMYK JPEG without ICC profile, say) come with
     * fully decoded pixels whose colours are merely approximate; every other warning means damaged data.
     */
    private static final Pattern COLOUR_PROFILE_WARNING = Pattern.compile("ICC|colou?r profile", Pattern.CASE_INSENSITIVE);

    private JpegCodec() {
    }

    /** Decodes the first image of {@code bytes} in any readable format; {@code jpegOnly} refuses all others. */
    public static BufferedImage decode(byte[] bytes, boolean jpegOnly, long maxPixels) throws InvalidImageException {
        return read(bytes, jpegOnly, false, maxPixels);
    }

    /**
     * Checks that {@code bytes} decode as a JPEG, as {@link #decode} would, but into grey where the decoder offers
     * it: every component's entropy-coded data is still decoded (so damage anywhere still warns), only the colour
     * conversion is skipped, which takes a 1280x720 frame from about 7.5 ms to 2.5 ms. That is time every new
     * frame spends before any viewer gets it. A JPEG offering no grey output (CMYK, YCCK) is decoded in colour.
     */
    public static void verifyJpeg(byte[] bytes, long maxPixels) throws InvalidImageException {
        read(bytes, true, true, maxPixels);
    }

    private static BufferedImage read(byte[] bytes, boolean jpegOnly, boolean greyWillDo, long maxPixels)
            throws InvalidImageException {
        try (ImageInputStream in = new MemoryCacheImageInputStream(new java.io.ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new InvalidImageException("not an image in a readable format");
            }
            ImageReader reader = readers.next();
            try {
                String format = reader.getFormatName().toLowerCase(java.util.Locale.ROOT);
                if (jpegOnly && !format.equals("jpeg") && !format.equals("jpg")) {
                    throw new InvalidImageException("not a JPEG (" + format + ")");
                }
                reader.setInput(in, true, true);
                long width = reader.getWidth(0);
                long height = reader.getHeight(0);
                if (width <= 0 || height <= 0 || width * height > maxPixels) {
                    throw new InvalidImageException("image of " + width + "x" + height + " pixels exceeds the limit of "
                            + maxPixels + " pixels");
                }
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener((source, warning) -> {
                    if (!COLOUR_PROFILE_WARNING.matcher(warning).find()) {
                        warnings.add(warning);
                    }
                });
                ImageReadParam param = reader.getDefaultReadParam();
                if (greyWillDo) {
                    greyType(reader).ifPresent(param::setDestinationType);
                }
                BufferedImage image = reader.read(0, param);
                if (!warnings.isEmpty()) {
                    throw new InvalidImageException("damaged image: " + warnings.get(0));
                }
                return image;
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            // ImageIO reports corrupt data with IOExceptions and, in places, runtime exceptions.
            throw new InvalidImageException("image does not decode: " + e.getMessage());
        }
    }

    /** Encodes as baseline JPEG with 4:2:0 chroma (what every MJPEG client decodes), dropping any alpha. */
    public static byte[] encode(BufferedImage image) {
        return encode(image, QUALITY);
    }

    /** {@link #encode(BufferedImage)} at {@code quality}, from 0 (smallest) to 1 (best). */
    public static byte[] encode(BufferedImage image, float quality) {
        BufferedImage rgb = image;
        if (image.getType() != BufferedImage.TYPE_INT_RGB && image.getType() != BufferedImage.TYPE_3BYTE_BGR) {
            rgb = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
            Graphics2D g = rgb.createGraphics();
            g.setColor(Color.BLACK);
            g.fillRect(0, 0, image.getWidth(), image.getHeight());
            g.drawImage(image, 0, 0, null);
            g.dispose();
        }
        ImageWriter writer = jdkJpegWriter();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(Math.max(8192, rgb.getWidth() * rgb.getHeight() / 4));
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            writer.write(null, new IIOImage(rgb, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException("JPEG encoding failed", e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /** The decoder's 8-bit single-band grey output, when it offers one for this image. */
    private static Optional<ImageTypeSpecifier> greyType(ImageReader reader) throws IOException {
        for (Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0); types.hasNext(); ) {
            ImageTypeSpecifier type = types.next();
            if (type.getBufferedImageType() == BufferedImage.TYPE_BYTE_GRAY) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }

    private static ImageWriter jdkJpegWriter() {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
        if (!writers.hasNext()) {
            throw new IllegalStateException("no JPEG writer in this JVM");
        }
        return writers.next();
    }
}
