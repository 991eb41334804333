package io.sysbox.setup.container;

import io.sysbox.common.oci.InvalidSpecException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** runc's root.path rule (no symlink) and the host's `/`, checked before the manager shifts anything. */
class RootfsLocationTest {
    @TempDir
    Path tmp;

    private Path bundle() throws Exception {
        Path bundle = Files.createDirectories(tmp.resolve("bundle"));
        Files.createDirectories(bundle.resolve("rootfs"));
        return bundle;
    }

    @Test
    void aRelativeAndAnAbsoluteRealDirectoryAreTheRootfs() throws Exception {
        Path bundle = bundle();
        Path config = bundle.resolve("config.json");
        assertEquals(bundle.resolve("rootfs"), RootfsLocation.check(bundle, "rootfs", config));
        assertEquals(bundle.resolve("rootfs"), RootfsLocation.check(bundle, bundle.resolve("rootfs").toString(), config));
    }

    /** runc resolves a relative root.path against the real bundle directory: a bundle reached through a link is fine. */
    @Test
    void aBundleReachedThroughALinkKeepsARelativeRootfs() throws Exception {
        Path bundle = bundle();
        Path link = Files.createSymbolicLink(tmp.resolve("bundle-link"), bundle);
        assertEquals(link.resolve("rootfs"), RootfsLocation.check(link, "rootfs", link.resolve("config.json")));
    }

    @Test
    void aRootfsThatIsASymlinkIsRefusedNamingItsTarget() throws Exception {
        Path bundle = bundle();
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.createSymbolicLink(bundle.resolve("link"), elsewhere);
        InvalidSpecException e = assertThrows(InvalidSpecException.class,
                () -> RootfsLocation.check(bundle, "link", bundle.resolve("config.json")));
        assertTrue(e.getMessage().contains("symlink to " + elsewhere) && e.getMessage().contains("root.path \"link\""),
                e.getMessage());
    }

    @Test
    void aSymlinkToTheHostRootIsRefused() throws Exception {
        Path bundle = bundle();
        Files.createSymbolicLink(bundle.resolve("host"), Path.of("/"));
        InvalidSpecException e = assertThrows(InvalidSpecException.class,
                () -> RootfsLocation.check(bundle, "host", bundle.resolve("config.json")));
        assertTrue(e.getMessage().contains("symlink to /;"), e.getMessage());
    }

    @Test
    void dotDotsUpToTheHostRootAreRefused() throws Exception {
        Path bundle = bundle();
        String up = "../".repeat(bundle.getNameCount() + 3);
        InvalidSpecException e = assertThrows(InvalidSpecException.class,
                () -> RootfsLocation.check(bundle, up, bundle.resolve("config.json")));
        assertTrue(e.getMessage().contains("the host's root directory"), e.getMessage());
        InvalidSpecException absolute = assertThrows(InvalidSpecException.class,
                () -> RootfsLocation.check(bundle, "/", bundle.resolve("config.json")));
        assertTrue(absolute.getMessage().contains("the host's root directory"), absolute.getMessage());
    }

    @Test
    void aFileIsNoRootfs() throws Exception {
        Path bundle = bundle();
        Files.writeString(bundle.resolve("file"), "x");
        InvalidSpecException e = assertThrows(InvalidSpecException.class,
                () -> RootfsLocation.check(bundle, "file", bundle.resolve("config.json")));
        assertTrue(e.getMessage().contains("not a directory"), e.getMessage());
    }
}
