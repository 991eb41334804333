package io.sysbox.conformance.images;

import io.sysbox.conformance.CommandResult;
import io.sysbox.conformance.CommandRunner;
import io.sysbox.conformance.Dist;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 3, the local test-image builder: conformance/images/build-images.sh realises the
 * recipes of dockerfiles/ and caches them by their inputs. Only the busybox image is built
 * here (in a private cache): debootstrap takes half a minute and needs the Debian mirror.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ImageBuilderIT {
    private static final String IMAGE = "busybox";
    private static final Path HOST_BUSYBOX = Path.of("/usr/bin/busybox");

    @TempDir
    Path work;

    private Path repository;
    private Path cache;
    private CommandRunner runner;

    @BeforeEach
    void setUp() throws IOException {
        repository = repositoryRoot();
        cache = work.resolve("cache");
        runner = new CommandRunner(Files.createDirectories(work.resolve("scratch")), Duration.ofMinutes(3));
    }

    @AfterEach
    void noBuildDebrisNorMountsAreLeft() throws IOException {
        if (!Files.isDirectory(cache)) return;
        try (Stream<Path> entries = Files.list(cache)) {
            List<String> debris = entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".build-")).toList();
            assertEquals(List.of(), debris, "build directories left in the cache " + cache);
        }
        List<String> mounts = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .filter(line -> line.contains(work.toString())).toList();
        assertEquals(List.of(), mounts, "mounts left under " + work);
    }

    @Test
    void busyboxImageHasEveryAppletTheSetuidCopyAndTheBaseFiles() throws IOException {
        Path tarball = build(recipes(), IMAGE);
        assertEquals(cache, tarball.getParent(), "the tarball must be in the cache given with --cache");
        assertTrue(tarball.getFileName().toString().matches("busybox-[0-9a-f]{64}\\.tar"),
                "tarball name " + tarball.getFileName() + " should be busybox-<sha256>.tar");
        Map<String, TarListing.Entry> entries = TarListing.read(tarball);

        TarListing.Entry busybox = entry(entries, "bin/busybox");
        assertAll("bin/busybox",
                () -> assertTrue(busybox.isRegularFile(), "a regular file, type " + busybox.type()),
                () -> assertEquals(0755, busybox.mode(), "mode " + Integer.toOctalString(busybox.mode())),
                () -> assertEquals(0, busybox.uid(), "owner"));
        TarListing.Entry suid = entry(entries, "bin/suidtest");
        assertAll("bin/suidtest, the setuid-root copy of busybox",
                () -> assertTrue(suid.isRegularFile(), "a regular file, type " + suid.type()),
                () -> assertEquals(04755, suid.mode(), "mode " + Integer.toOctalString(suid.mode())),
                () -> assertEquals(0, suid.uid(), "owner uid"),
                () -> assertEquals(0, suid.gid(), "owner gid"));

        List<String> applets = runner.run(List.of(HOST_BUSYBOX.toString(), "--list")).requireSuccess()
                .stdout().lines().filter(l -> !l.isBlank()).toList();
        assertTrue(applets.contains("sh"), "busybox --list should name sh: " + applets);
        List<String> missing = new ArrayList<>();
        for (String applet : applets) {
            if (applet.equals("busybox")) continue;  // Debian's busybox lists itself: that is bin/busybox
            TarListing.Entry link = entries.get("bin/" + applet);
            if (link == null || !link.isSymlink() || !link.linkName().equals("/bin/busybox")) missing.add(applet);
        }
        assertEquals(List.of(), missing, "applets of `busybox --list` without a /bin link to /bin/busybox");

        for (String dir : List.of("proc", "sys", "dev", "root", "var", "etc", "mnt", "run", "tmp")) {
            assertTrue(entry(entries, dir).isDirectory(), dir + " should be a directory");
        }
        assertEquals(01777, entry(entries, "tmp").mode(), "mode of /tmp");
        String passwd = entry(entries, "etc/passwd").text();
        String group = entry(entries, "etc/group").text();
        assertAll("accounts",
                () -> assertTrue(passwd.contains("root:x:0:0:"), "/etc/passwd has root: " + passwd),
                () -> assertTrue(passwd.contains("nobody:x:65534:65534:"), "/etc/passwd has nobody: " + passwd),
                () -> assertTrue(group.contains("root:x:0:"), "/etc/group has root: " + group),
                () -> assertTrue(group.contains("nobody:x:65534:"), "/etc/group has nobody: " + group));
        entries.values().forEach(e -> assertEquals(0, e.uid(), e.name() + " should be owned by uid 0 (numeric owner)"));
    }

    @Test
    void secondRunIsACacheHitThatLeavesTheTarballAlone() throws IOException {
        CommandResult first = runBuilder(recipes(), IMAGE).requireSuccess();
        Path tarball = tarballFrom(first, IMAGE);
        FileTime builtAt = Files.getLastModifiedTime(tarball);
        Object inode = Files.getAttribute(tarball, "unix:ino", LinkOption.NOFOLLOW_LINKS);
        assertTrue(first.stderr().contains("building busybox"), "the first run must build:\n" + first.describe());

        CommandResult second = runBuilder(recipes(), IMAGE).requireSuccess();
        assertEquals(first.stdout(), second.stdout(), "both runs must print the same IMAGE PATH line");
        assertTrue(second.stderr().contains("cache hit: busybox " + tarball), "the second run must say it was a cache hit:\n"
                + second.describe());
        assertFalse(second.stderr().contains("building"), "the second run must not build:\n" + second.describe());
        assertEquals(builtAt, Files.getLastModifiedTime(tarball), "a cache hit must not rewrite the tarball");
        assertEquals(inode, Files.getAttribute(tarball, "unix:ino", LinkOption.NOFOLLOW_LINKS),
                "a cache hit must not replace the tarball");
    }

    @Test
    void changingAnyFileOfTheRecipeChangesTheKeyAndTheImage() throws IOException {
        Path original = build(recipes(), IMAGE);

        Path edited = copyOfRecipes();
        Files.writeString(edited.resolve("busybox/Dockerfile"), "RUN echo changed > /etc/recipe-marker\n",
                StandardOpenOption.APPEND);
        Path afterDockerfileEdit = build(edited, IMAGE);
        assertNotEquals(original, afterDockerfileEdit, "an edited Dockerfile must give a new key");
        assertEquals("changed\n", entry(TarListing.read(afterDockerfileEdit), "etc/recipe-marker").text(),
                "the new image must contain what the edited recipe adds");

        // Not only the Dockerfile: the files it copies are part of the recipe too.
        Files.writeString(edited.resolve("busybox/passwd"), "tester:x:1000:1000::/tmp:/bin/sh\n", StandardOpenOption.APPEND);
        Path afterPasswdEdit = build(edited, IMAGE);
        assertNotEquals(afterDockerfileEdit, afterPasswdEdit, "an edited file of the recipe directory must give a new key");
        assertTrue(entry(TarListing.read(afterPasswdEdit), "etc/passwd").text().contains("tester:x:1000:1000:"),
                "the new image must have the edited /etc/passwd");

        assertTrue(Files.isRegularFile(original), "building other keys must leave the original entry in the cache");
    }

    @Test
    void unknownImagesAndUnsupportedInstructionsAreRefusedWithTheSpotToFix() throws IOException {
        CommandResult unknown = runBuilder(recipes(), "no-such-image");
        assertNotEquals(0, unknown.exitCode(), "an unknown image must fail:\n" + unknown.describe());
        assertTrue(unknown.stderr().contains("no-such-image") && unknown.stderr().contains("the recipes are: busybox"),
                "the message must name the image and the recipes there are:\n" + unknown.describe());

        Path edited = copyOfRecipes();
        Path dockerfile = edited.resolve("busybox/Dockerfile");
        int lines = Files.readAllLines(dockerfile).size();
        Files.writeString(dockerfile, "ENV FOO=bar\n", StandardOpenOption.APPEND);
        CommandResult unsupported = runBuilder(edited, IMAGE);
        assertNotEquals(0, unsupported.exitCode(), "ENV must be refused:\n" + unsupported.describe());
        assertTrue(unsupported.stderr().contains(dockerfile + ":" + (lines + 1) + ": ENV is not supported"),
                "the message must name the file and line of the ENV:\n" + unsupported.describe());
        try (Stream<Path> entries = Files.list(cache)) {
            assertEquals(List.of(), entries.filter(p -> p.getFileName().toString().endsWith(".tar")).toList(),
                    "a failed build must cache nothing");
        }
    }

    private Path build(Path recipes, String image) {
        return tarballFrom(runBuilder(recipes, image).requireSuccess(), image);
    }

    private CommandResult runBuilder(Path recipes, String image) {
        return runner.run(List.of("env", "SYSBOX_DOCKERFILES=" + recipes,
                repository.resolve("conformance/images/build-images.sh").toString(), "--cache", cache.toString(), image));
    }

    /** The path of the one `IMAGE PATH` line the builder prints, checked to exist. */
    private static Path tarballFrom(CommandResult result, String image) {
        List<String> lines = result.stdout().lines().toList();
        assertEquals(1, lines.size(), "one line on stdout expected:\n" + result.describe());
        String prefix = image + " ";
        assertTrue(lines.getFirst().startsWith(prefix), "the line should start with the image name:\n" + result.describe());
        Path tarball = Path.of(lines.getFirst().substring(prefix.length()));
        assertTrue(Files.isRegularFile(tarball), tarball + " should exist:\n" + result.describe());
        return tarball;
    }

    private static TarListing.Entry entry(Map<String, TarListing.Entry> entries, String name) {
        TarListing.Entry entry = entries.get(name);
        assertTrue(entry != null, name + " is missing from the image");
        return entry;
    }

    private Path recipes() {
        return repository.resolve("dockerfiles");
    }

    /** A copy of the repository's recipes to edit without touching the clone. */
    private Path copyOfRecipes() throws IOException {
        Path copy = Files.createTempDirectory(work, "recipes-");
        try (Stream<Path> files = Files.walk(recipes())) {
            for (Path source : files.toList()) {
                Path target = copy.resolve(recipes().relativize(source).toString());
                if (Files.isDirectory(source)) Files.createDirectories(target);
                else Files.copy(source, target);
            }
        }
        return copy;
    }

    /** The clone: dist/'s parent as failsafe passes it, else the module directory's parent. */
    private static Path repositoryRoot() {
        String dist = System.getProperty(Dist.PROPERTY);
        Path root = dist != null && !dist.isBlank() ? Path.of(dist).toAbsolutePath().normalize().getParent()
                : Path.of("").toAbsolutePath().getParent();
        if (root == null || !Files.isExecutable(root.resolve("conformance/images/build-images.sh"))) {
            throw new IllegalStateException("cannot find conformance/images/build-images.sh from " + root
                    + ": run the suite through `./mvnw verify -pl conformance` (failsafe sets -D" + Dist.PROPERTY + ")");
        }
        return root;
    }
}
