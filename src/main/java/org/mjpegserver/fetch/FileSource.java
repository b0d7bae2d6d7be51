package org.mjpegserver.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import org.mjpegserver.config.ImageConfig;

/**
 * A local JPEG, such as one a camera uploads by FTP, re-read only when its modification time or size changes.
 * An unchanged file counts as a live source: a still image in a file is a valid use.
 */
final class FileSource implements Source {

    private final Path path;
    private final long maxBytes;
    private final long readTimeoutNanos;
    private FileTime lastModified;
    private long lastSize = -1;

    FileSource(ImageConfig image) {
        this.path = Path.of(image.url());
        this.maxBytes = image.settings().maxImageBytes();
        this.readTimeoutNanos = image.settings().readTimeout().toNanos();
    }

    @Override
    public Fetched fetch() throws FetchException {
        try {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            if (!attributes.isRegularFile()) {
                throw new FetchException("not a regular file: " + path.getFileName());
            }
            if (attributes.lastModifiedTime().equals(lastModified) && attributes.size() == lastSize) {
                return Fetched.UNCHANGED;
            }
            if (attributes.size() > maxBytes) {
                throw new FetchException("file of " + attributes.size() + " bytes is larger than max_image_bytes (" + maxBytes + ")");
            }
            byte[] body;
            try (InputStream in = Files.newInputStream(path)) {
                body = Bodies.read(in, maxBytes, attributes.size(), System.nanoTime() + readTimeoutNanos);
            }
            lastModified = attributes.lastModifiedTime();
            lastSize = attributes.size();
            return new Fetched.Snapshot(body);
        } catch (NoSuchFileException e) {
            throw new FetchException("file not found: " + path.getFileName());
        } catch (IOException e) {
            throw new FetchException("cannot read " + path.getFileName() + ": " + e.getClass().getSimpleName());
        }
    }
}
